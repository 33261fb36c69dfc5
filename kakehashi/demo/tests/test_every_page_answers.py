"""Every page a user can reach by clicking answers, without a server error or a refusal.

The demo data set (every area with something in it) is browsed link by link, breadth first,
as personas of each department and role, in Japanese and in English: each page linked from a
page already seen is fetched once (GET only, so nothing changes) and must not answer 5xx.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.core.management import call_command
from django.test import TestCase

from kakehashi.accounts.models import User
from kakehashi.demo import generate

# Links that end the session or only download files: not pages to walk through.
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/media/", "/api/docs", "/admin/")
PAGES_PER_PERSONA = 250
PER_SHAPE = 2  # /leads/12 and /leads/57 are one kind of page: two of each kind is enough


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _internal(href: str) -> str | None:
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or "export" in parts.path:
        return None
    return url


def _shape(url: str) -> str:
    """A page's kind: its path with numbers as N, and the names of its query parameters."""
    parts = urlsplit(url)
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(names)


class EveryPageAnswersTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", leads=120, activities_per_lead=6, password="demo-password-2026",
                     json=True, stdout=StringIO())  # fmt: skip
        User.objects.create_superuser(f"admin@{generate.DEMO_DOMAIN}", "admin-password-2026")

    def crawl(self, handle: str) -> dict[str, int]:
        user = User.objects.get(email=f"{handle}@{generate.DEMO_DOMAIN}")
        self.client.force_login(user)
        seen: dict[str, int] = {}
        kinds: Counter[str] = Counter()
        queue: deque[str] = deque(["/"])
        while queue and len(seen) < PAGES_PER_PERSONA:
            url = queue.popleft()
            if url in seen or kinds[_shape(url)] >= PER_SHAPE:
                continue
            kinds[_shape(url)] += 1
            response = self.client.get(url)
            seen[url] = response.status_code
            self.assertLess(response.status_code, 500, f"{handle} GET {url}")
            # A link the product shows leads somewhere this user may go.
            self.assertNotEqual(response.status_code, 403, f"{handle} was shown a link to {url}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            links = _Links()
            links.feed(response.content.decode())
            for href in links.hrefs:
                target = _internal(href)
                if target and target not in seen:
                    queue.append(target)
        return seen

    def test_marketing_in_japanese(self):
        seen = self.crawl("aiko")
        self.assertGreater(len(seen), 40, "the crawl reached the product's pages")

    def test_inside_sales_in_japanese(self):
        self.assertGreater(len(self.crawl("ken")), 40)

    def test_a_sales_manager_in_japanese(self):
        self.assertGreater(len(self.crawl("daiki")), 40)

    def test_marketing_in_english(self):
        seen = self.crawl("emma")
        self.assertGreater(len(seen), 40)
        self.assertTrue(all(code < 500 for code in seen.values()))

    def test_field_sales_in_english(self):
        self.assertGreater(len(self.crawl("james")), 40)

    def test_customer_success_in_japanese(self):
        self.assertGreater(len(self.crawl("rina")), 40)

    def test_an_admin(self):
        self.assertGreater(len(self.crawl("admin")), 40)
