/* Dynamic registration is done: tell Canvas to close the registration frame. */
(function () {
  "use strict";
  function done() {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", done);
  else done();
})();
