/* Canvas Reports: the Canvas OAuth2 popup.
 * On tool pages: "Authorize" opens Canvas's consent page in a popup (a new tab if popups are
 * blocked), never inside Canvas's iframe; when the popup reports success, the page reloads.
 * On the callback page: tell the opener (same origin only) and close the popup.
 * No inline scripts (CSP); data comes from data-* attributes.
 */
(function () {
  "use strict";
  if (window.canvasReportsOAuthLoaded) return; // the partial may be included more than once
  window.canvasReportsOAuthLoaded = true;

  var MESSAGE_TYPE = "canvas-reports:oauth";

  function openAuthorize(event) {
    var link = event.currentTarget;
    var popup = window.open(link.href, "canvas_reports_oauth", "popup=yes,width=640,height=760");
    if (popup) {
      event.preventDefault();
      popup.focus();
    }
    var hint = document.querySelector("[data-oauth-waiting]");
    if (hint) hint.hidden = false;
  }

  function onMessage(event) {
    if (event.origin !== window.location.origin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== MESSAGE_TYPE) return;
    if (data.result === "connected") window.location.reload();
  }

  function submitDisconnect(event) {
    if (typeof window.ltiFetch !== "function") return; // plain form post still works
    event.preventDefault();
    window.ltiFetch(event.currentTarget.action, { method: "POST" }).then(function () {
      window.location.reload();
    });
  }

  function reportToOpener() {
    var result = document.body.getAttribute("data-oauth-result");
    if (!result) return;
    var closeButton = document.querySelector("[data-oauth-close]");
    var opener = window.opener;
    if (opener && !opener.closed) {
      try {
        opener.postMessage(
          { type: MESSAGE_TYPE, result: result, reason: document.body.getAttribute("data-oauth-reason") || "" },
          window.location.origin
        );
      } catch (err) {
        /* the opener navigated elsewhere: nothing to tell */
      }
      if (result === "connected") {
        window.close();
        return;
      }
    }
    var next = document.querySelector("[data-oauth-continue]");
    if (result === "connected" && next && (!opener || opener.closed)) {
      // No page to reload (a tab opened without an opener): show the page the user wanted.
      window.location.replace(next.getAttribute("href"));
      return;
    }
    if (closeButton && opener) {
      closeButton.hidden = false;
      closeButton.addEventListener("click", function () { window.close(); });
    }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-oauth-authorize]"), function (link) {
      link.addEventListener("click", openAuthorize);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-oauth-disconnect]"), function (form) {
      form.addEventListener("submit", submitDisconnect);
    });
    window.addEventListener("message", onMessage);
    reportToOpener();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
