/* The hosted form: branching (show B if A), one page at a time, and sizing inside an iframe.
 * Everything here is optional: without JavaScript every question shows and the server applies
 * the same branching rules. */
(function () {
  "use strict";
  var form = document.getElementById("kakehashi-form");
  var embedded = window.parent !== window;
  var slug = document.body.getAttribute("data-form");

  function postHeight() {
    if (embedded) {
      window.parent.postMessage({ kakehashiForm: slug, height: document.documentElement.scrollHeight }, "*");
    }
  }

  if (embedded) {
    window.addEventListener("message", function (event) {
      var data = event.data || {};
      var input = form && form.querySelector("input[name=aid]");
      if (event.source === window.parent && typeof data.kakehashiAid === "string" && input && !input.value) {
        input.value = data.kakehashiAid.slice(0, 100);
      }
    });
    window.parent.postMessage({ kakehashiForm: slug, kakehashiReady: true }, "*");
    if (window.ResizeObserver) { new ResizeObserver(postHeight).observe(document.body); }
    window.addEventListener("load", postHeight);
  }
  if (!form) { return; }

  function answers(name) {
    var out = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
      if (el.type === "checkbox" && el.closest(".kind-checkbox, .kind-consent")) {
        out.push(el.checked ? "yes" : "no");
      } else if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { out.push(el.value); }
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push(o.value); });
      } else if (el.value) {
        out.push(el.value);
      }
    });
    return out;
  }

  function applyBranching() {
    form.querySelectorAll("[data-show-if-name]").forEach(function (item) {
      var controller = form.querySelector("[name='" + item.dataset.showIfName + "']");
      var controllerItem = controller && controller.closest(".item");
      var shown = (!controllerItem || !controllerItem.hidden) &&
        answers(item.dataset.showIfName).indexOf(item.dataset.showIfValue) !== -1;
      item.hidden = !shown;
      item.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !shown; });
    });
  }

  var pages = Array.prototype.slice.call(form.querySelectorAll("section.page"));
  var current = 0;
  var submit = form.querySelector(".actions button[type=submit]");

  function pageValid(page) {
    var ok = true;
    page.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (ok && !el.disabled && !el.checkValidity()) { el.reportValidity(); ok = false; }
    });
    return ok;
  }

  function show(index) {
    current = index;
    pages.forEach(function (page, i) { page.hidden = i !== index; });
    back.hidden = index === 0;
    next.hidden = index === pages.length - 1;
    submit.hidden = index !== pages.length - 1;
    postHeight();
  }

  form.addEventListener("change", applyBranching);
  form.addEventListener("input", applyBranching);
  applyBranching();

  if (pages.length > 1 && submit) {
    var back = document.createElement("button");
    var next = document.createElement("button");
    back.type = next.type = "button";
    back.textContent = document.documentElement.lang === "en" ? "Back" : "戻る";
    next.textContent = document.documentElement.lang === "en" ? "Next" : "次へ";
    next.className = "primary";
    submit.parentNode.insertBefore(back, submit);
    submit.parentNode.insertBefore(next, submit);
    back.addEventListener("click", function () { show(Math.max(0, current - 1)); });
    next.addEventListener("click", function () {
      if (pageValid(pages[current])) { show(Math.min(pages.length - 1, current + 1)); }
    });
    form.querySelectorAll(".page-number").forEach(function (el) { el.classList.add("with-js"); });
    var firstError = pages.findIndex(function (page) { return page.querySelector(".has-error"); });
    show(firstError === -1 ? 0 : firstError);
  }
})();
