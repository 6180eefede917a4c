/* OIDC login with platform storage: store state and nonce via lti.put_data, then go to
 * Canvas's auth URL. Without an answer (mobile apps, old Canvas) the state cookie set by
 * this response is the only proof left, so navigate anyway. */
(function () {
  "use strict";
  var TIMEOUT_MS = 1500;

  function start() {
    var el = document.getElementById("lti-login");
    if (!el) return;
    var d = el.dataset;
    var go = function () { window.location.replace(d.authUrl); };
    var targets = window.LTI.storageTargets(d.storageTarget, d.authOrigin, "");
    window.LTI.capabilities(TIMEOUT_MS)
      .then(function (caps) {
        var subjects = (caps.supported_messages || []).map(function (m) { return m.subject; });
        if (subjects.indexOf("lti.put_data") < 0) throw new Error("no put_data");
        (caps.supported_messages || []).forEach(function (m) {
          if (m.subject === "lti.put_data" && m.frame) {
            targets = window.LTI.storageTargets(m.frame, d.authOrigin, "");
          }
        });
        return Promise.all([
          window.LTI.storageCall(targets, "lti.put_data", { key: "state-" + d.state, value: d.state }, TIMEOUT_MS),
          window.LTI.storageCall(targets, "lti.put_data", { key: "nonce-" + d.nonce, value: d.nonce }, TIMEOUT_MS)
        ]);
      })
      .then(go, go);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
