/* kakehashi tracking snippet: page views, events and identify for kakehashi (no dependencies).
 *
 * <script async src="https://crm.example.co.jp/t.js" data-write-key="KEY"></script>
 * Options (data-* attributes on the script tag):
 *   data-consent="required"  send nothing and set no cookie until kakehashi.consent(true)
 *   data-auto-page="false"   do not record the page view on load
 * API: kakehashi.page(), kakehashi.track(name, props), kakehashi.identify(emailOrId, traits),
 *      kakehashi.consent(true|false), kakehashi.reset(). Before the script has loaded, queue
 *      calls with: window.kakehashi = window.kakehashi || []; kakehashi.push(["track", "Name"]);
 */
(function () {
  "use strict";
  var VERSION = "1.0.0";
  var COOKIE = "kk_aid";
  var USER = "kk_uid";
  var CONSENT = "kk_consent";
  var YEAR = 365 * 24 * 3600;
  var MAX_BATCH = 20;
  var FLUSH_MS = 1000;

  var tag = document.currentScript || (function () {
    var all = document.querySelectorAll("script[data-write-key]");
    return all[all.length - 1];
  })();
  if (!tag) { return; }
  var writeKey = tag.getAttribute("data-write-key") || "";
  var endpoint = (tag.getAttribute("data-host") || new URL(tag.src, location.href).origin) + "/v1/batch";
  var consentRequired = tag.getAttribute("data-consent") === "required";
  var autoPage = tag.getAttribute("data-auto-page") !== "false";

  var queue = [];
  var timer = null;
  var currentUser = "";

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var d = crypto.getRandomValues(new Uint8Array(16));
    d[6] = (d[6] & 15) | 64; d[8] = (d[8] & 63) | 128;
    var h = Array.prototype.map.call(d, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function readCookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function writeCookie(name, value, maxAge) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + maxAge + "; Path=/; SameSite=Lax" + secure;
  }

  function consented() {
    return !consentRequired || readCookie(CONSENT) === "1";
  }

  function anonymousId() {
    var id = readCookie(COOKIE);
    if (!id) { id = uuid(); }
    writeCookie(COOKIE, id, YEAR); // refreshed on every visit
    return id;
  }

  function campaign() {
    var params = new URLSearchParams(location.search);
    var out = {};
    ["source", "medium", "campaign", "term", "content"].forEach(function (k) {
      var v = params.get("utm_" + k);
      if (v) { out[k === "campaign" ? "name" : k] = v; }
    });
    return out;
  }

  function pageInfo() {
    return {
      url: location.href,
      path: location.pathname,
      search: location.search,
      title: document.title,
      referrer: document.referrer
    };
  }

  function context() {
    var ctx = {
      library: { name: "kakehashi.js", version: VERSION },
      page: pageInfo(),
      userAgent: navigator.userAgent,
      locale: navigator.language
    };
    var utm = campaign();
    if (Object.keys(utm).length) { ctx.campaign = utm; }
    return ctx;
  }

  function enqueue(message) {
    message.messageId = uuid();
    message.timestamp = new Date().toISOString();
    message.context = context();
    queue.push(message);
    if (!consented()) { return; }
    if (queue.length >= MAX_BATCH) { flush(); } else if (!timer) { timer = setTimeout(flush, FLUSH_MS); }
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!queue.length || !consented()) { return; }
    var aid = anonymousId();
    if (currentUser) { writeCookie(USER, currentUser, YEAR); }
    var uid = currentUser || readCookie(USER);
    var batch = queue.splice(0, queue.length).map(function (m) {
      m.anonymousId = aid;
      if (uid && !m.userId) { m.userId = uid; }
      return m;
    });
    // text/plain keeps it a "simple" request: no CORS preflight, and sendBeacon accepts it.
    var body = JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: writeKey });
    var blob = new Blob([body], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, blob)) { return; }
    if (window.fetch) {
      fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "omit", headers: { "Content-Type": "text/plain" } });
    }
  }

  var api = {
    page: function (name, properties) {
      var props = Object.assign(pageInfo(), properties || {});
      enqueue({ type: "page", name: name || document.title, properties: props });
    },
    track: function (name, properties) {
      enqueue({ type: "track", event: String(name), properties: properties || {} });
    },
    identify: function (emailOrId, traits) {
      traits = Object.assign({}, traits || {});
      var message = { type: "identify", traits: traits };
      var value = emailOrId == null ? "" : String(emailOrId);
      if (value.indexOf("@") > 0) {
        traits.email = value;
      } else if (value) {
        message.userId = value;
        currentUser = value; // the cookie is written on sending, after any consent
      }
      enqueue(message);
      flush(); // identify is worth sending at once
    },
    consent: function (granted) {
      if (granted) {
        writeCookie(CONSENT, "1", YEAR);
        flush();
      } else {
        queue = [];
        currentUser = "";
        writeCookie(CONSENT, "", 0);
        writeCookie(COOKIE, "", 0);
        writeCookie(USER, "", 0);
      }
    },
    reset: function () {
      currentUser = "";
      writeCookie(COOKIE, "", 0);
      writeCookie(USER, "", 0);
    },
    flush: flush,
    push: function (call) {
      var fn = api[call[0]];
      if (typeof fn === "function") { fn.apply(api, call.slice(1)); }
    },
    version: VERSION
  };

  var pending = Array.isArray(window.kakehashi) ? window.kakehashi : [];
  window.kakehashi = api;
  if (autoPage) { api.page(); }
  pending.forEach(api.push);

  // Whatever is queued leaves with the page.
  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); }
  });
})();
