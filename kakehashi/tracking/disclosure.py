"""Ready-made disclosure text for the site's privacy page (LEG-APPI-5), in both languages.

Both texts are shown side by side on the source page whatever the staff member's language,
because the site owner pastes them into a Japanese and an English privacy page.
"""

from __future__ import annotations

JA = """\
【アクセス解析・行動履歴の取得について】
当社は、当ウェブサイトの改善および当社からのご案内の最適化のため、Cookie（ファーストパーティ
Cookie）を用いて、閲覧したページの URL・タイトル、参照元、広告パラメータ（utm_*）、ブラウザの種類、
IP アドレス、閲覧日時などの情報を取得し、当社の顧客管理システム（kakehashi、当社が自ら運用）に
記録します。お問い合わせフォーム等でお名前やメールアドレスをご登録いただいた場合、それ以前の閲覧
履歴を含めてお客様の情報と結び付けて利用することがあります。これらの情報を第三者に提供すること
はありません。
Cookie の利用に同意されない場合は、同意画面で「同意しない」を選択するか、ブラウザの設定で Cookie
を無効にしてください。取得を停止しても当ウェブサイトは引き続きご利用いただけます。
利用目的の詳細、保存期間、開示・訂正・利用停止等のご請求については、[お問い合わせ窓口] までご連絡
ください。"""

EN = """\
About analytics and browsing history
To improve this website and tailor what we send you, we use a first-party cookie to record the
URL and title of the pages you view, the referring site, campaign parameters (utm_*), your
browser type, IP address and the time of each visit in our own customer-management system
(kakehashi, operated by us). If you give us your name or e-mail address, for example in a
contact form, we may link this information, including earlier visits, to your details. We do not
share it with third parties.
If you do not agree to the use of cookies, choose "Decline" in the consent banner or disable
cookies in your browser; the website keeps working without them.
For details of the purposes, retention period, and requests for disclosure, correction or
suspension of use, please contact [contact point]."""
