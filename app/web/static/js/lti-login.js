/* OIDC login with platform storage: store state and nonce via lti.put_data, then go to
 * Canvas's auth URL. Without storage (mobile apps, old Canvas) the state cookie set by this
 * response is the only proof left: go on when cookies work here, otherwise offer to open
 * the tool in a new tab, where its cookies are first-party. */
(function () {
  "use strict";
  var TIMEOUT_MS = 1500;

  function cookiesWork() {
    var name = "lti1p3-cookie-check";
    try {
      document.cookie = name + "=1; Path=/; Max-Age=30; SameSite=None; Secure; Partitioned";
      var ok = document.cookie.indexOf(name + "=1") >= 0;
      document.cookie = name + "=; Path=/; Max-Age=0; SameSite=None; Secure; Partitioned";
      return ok;
    } catch (err) {
      return false;
    }
  }

  function start() {
    var el = document.getElementById("lti-login");
    if (!el) return;
    var d = el.dataset;
    var go = function () { window.location.replace(d.authUrl); };
    var noStorage = function () {
      if (cookiesWork()) { go(); return; }
      document.getElementById("lti-login-status").hidden = true;
      document.getElementById("lti-login-blocked").hidden = false;
      window.LTI.frameResize();
    };
    var targets = window.LTI.storageTargets(d.storageTarget, d.authOrigin, "");
    window.LTI.capabilities(TIMEOUT_MS)
      .then(function (caps) {
        var messages = caps.supported_messages || [];
        var put = messages.filter(function (m) { return m.subject === "lti.put_data"; })[0];
        if (!put) throw new Error("no put_data");
        if (put.frame) targets = window.LTI.storageTargets(put.frame, d.authOrigin, "");
        return Promise.all([
          window.LTI.storageCall(targets, "lti.put_data", { key: "state-" + d.state, value: d.state }, TIMEOUT_MS),
          window.LTI.storageCall(targets, "lti.put_data", { key: "nonce-" + d.nonce, value: d.nonce }, TIMEOUT_MS)
        ]);
      })
      .then(go, noStorage);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
