/* Launch without a state cookie: the server verified the id_token; this page reads
 * state-<state> from platform storage and only when it matches posts the one-time
 * launch id back. A different browser (or none) has no such value and stops here. */
(function () {
  "use strict";
  var TIMEOUT_MS = 2000;

  function fail() {
    document.getElementById("lti-launch-status").hidden = true;
    document.getElementById("lti-launch-error").hidden = false;
  }

  function start() {
    var el = document.getElementById("lti-launch");
    if (!el) return;
    var d = el.dataset;
    var targets = window.LTI.storageTargets(d.storageTarget, d.authOrigin, d.platformOrigin);
    window.LTI.storageCall(targets, "lti.get_data", { key: "state-" + d.state }, TIMEOUT_MS)
      .then(function (response) {
        if (response.value !== d.state) { fail(); return; }
        var form = document.getElementById("lti-launch-form");
        form.elements.state.value = response.value;
        form.submit();
      }, fail);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
