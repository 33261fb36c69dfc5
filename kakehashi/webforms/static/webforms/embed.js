/* kakehashi forms on your own site.
 *
 *   <script async src="https://crm.example.co.jp/f/embed.js" data-kakehashi-form="SLUG"></script>
 *
 * shows the form where the tag is, sized to its content. On any page with this script, links to
 * kakehashi forms carry the visitor's anonymous id from the tracking snippet (cookie kk_aid),
 * the page address and its UTM parameters, so the visitor's earlier page views join their lead.
 */
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag) { return; }
  var base = new URL(tag.src, location.href).origin;

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function decorate(url) {
    var u = new URL(url, location.href);
    var here = new URLSearchParams(location.search);
    var add = { aid: cookie("kk_aid"), ref: location.href };
    here.forEach(function (value, key) { if (key.indexOf("utm_") === 0) { add[key] = value; } });
    Object.keys(add).forEach(function (key) {
      if (add[key] && !u.searchParams.has(key)) { u.searchParams.set(key, add[key]); }
    });
    return u.toString();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) { return; }
    var u;
    try { u = new URL(link.href, location.href); } catch (e) { return; }
    if (u.origin === base && u.pathname.indexOf("/f/") === 0) { link.href = decorate(link.href); }
  }, true);

  var slug = tag.getAttribute("data-kakehashi-form");
  if (!slug) { return; }
  var frame = document.createElement("iframe");
  frame.src = decorate(base + "/f/" + encodeURIComponent(slug) + "/?embed=1");
  frame.title = tag.getAttribute("data-title") || slug;
  frame.style.cssText = "width:100%;border:0;min-height:320px;display:block";
  tag.parentNode.insertBefore(frame, tag.nextSibling);

  var tries = 0;
  function sendAid() {
    // The tracking snippet sets its cookie when it first sends (about a second after load).
    var aid = cookie("kk_aid");
    if (aid) { frame.contentWindow.postMessage({ kakehashiAid: aid }, base); }
    else if (tries++ < 10) { setTimeout(sendAid, 500); }
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== base || event.source !== frame.contentWindow) { return; }
    var data = event.data || {};
    if (data.height) { frame.style.height = Math.ceil(data.height) + "px"; }
    if (data.kakehashiReady) { sendAid(); }
  });
})();
