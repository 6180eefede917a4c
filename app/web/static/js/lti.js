/* Canvas Reports: helpers every page uses inside Canvas's iframe.
 * - frameResize: tell Canvas how tall the page is (lti.frameResize).
 * - ltiFetch(url, options): fetch with the launch token in the Authorization header.
 * - ltiPostMessage(...): request/response postMessage with message_id and origin checks
 *   (used by the platform-storage login and launch pages).
 * No inline scripts: the CSP forbids them; pages pass data through data-* attributes.
 */
(function () {
  "use strict";

  function launchToken() {
    var meta = document.querySelector('meta[name="launch-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function ltiFetch(url, options) {
    var opts = Object.assign({}, options || {});
    var headers = new Headers(opts.headers || {});
    var token = launchToken();
    if (token) headers.set("Authorization", "Bearer " + token);
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    opts.headers = headers;
    opts.credentials = "omit"; // the token, not cookies, carries the session
    return fetch(url, opts);
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  /* Send {subject, ...fields} to target and resolve with the matching response, or reject
   * after timeoutMs. Responses must come from one of allowedOrigins (unless it is ["*"]). */
  function ltiPostMessage(target, targetOrigin, allowedOrigins, subject, fields, timeoutMs) {
    return new Promise(function (resolve, reject) {
      if (!target) { reject(new Error("no target frame")); return; }
      var messageId = uuid();
      var timer = null;
      function onMessage(event) {
        var data = event.data;
        if (!data || typeof data !== "object") return;
        if (data.message_id !== messageId || data.subject !== subject + ".response") return;
        if (allowedOrigins.indexOf("*") < 0 && allowedOrigins.indexOf(event.origin) < 0) return;
        window.removeEventListener("message", onMessage);
        clearTimeout(timer);
        if (data.error) reject(new Error(data.error.code || "error"));
        else resolve(data);
      }
      window.addEventListener("message", onMessage);
      timer = setTimeout(function () {
        window.removeEventListener("message", onMessage);
        reject(new Error("timeout"));
      }, timeoutMs);
      try {
        target.postMessage(Object.assign({ subject: subject, message_id: messageId }, fields || {}), targetOrigin);
      } catch (err) {
        window.removeEventListener("message", onMessage);
        clearTimeout(timer);
        reject(err);
      }
    });
  }

  /* Platform storage (lti-oauth.md 5): the named sibling frame on the auth origin first,
   * then the legacy window.parent with "*" when that frame does not answer. */
  function storageTargets(frameName, authOrigin, platformOrigin) {
    var targets = [];
    try {
      var frame = frameName && frameName !== "_parent" ? window.parent.frames[frameName] : null;
      if (frame) targets.push({ win: frame, origin: authOrigin, allowed: [authOrigin] });
    } catch (err) { /* cross-origin access to frames[] may throw */ }
    var parentAllowed = [authOrigin];
    if (platformOrigin) parentAllowed.push(platformOrigin);
    targets.push({ win: window.parent, origin: "*", allowed: parentAllowed });
    return targets;
  }

  function storageCall(targets, subject, fields, timeoutMs) {
    var index = 0;
    function attempt() {
      if (index >= targets.length) return Promise.reject(new Error("no storage answered"));
      var t = targets[index++];
      return ltiPostMessage(t.win, t.origin, t.allowed, subject, fields, timeoutMs).catch(attempt);
    }
    return attempt();
  }

  function capabilities(timeoutMs) {
    if (window.parent === window) return Promise.reject(new Error("not framed"));
    return ltiPostMessage(window.parent, "*", ["*"], "lti.capabilities", {}, timeoutMs);
  }

  function frameResize() {
    if (window.parent === window) return;
    // The content's own height, not scrollHeight: scrollHeight never drops below the frame's
    // current height, so the frame could grow but never shrink back.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }

  window.LTI = {
    launchToken: launchToken,
    ltiFetch: ltiFetch,
    postMessage: ltiPostMessage,
    storageTargets: storageTargets,
    storageCall: storageCall,
    capabilities: capabilities,
    frameResize: frameResize
  };
  window.ltiFetch = ltiFetch;

  function init() {
    frameResize();
    if (window.ResizeObserver) new ResizeObserver(frameResize).observe(document.body);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
