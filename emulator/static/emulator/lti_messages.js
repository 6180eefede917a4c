/*
 * LTI postMessage handling of the emulated Canvas (reference section 5).
 *
 * Two roles share this file:
 *  - "forwarding_frame": the hidden sibling frame named post_message_forwarding. It answers
 *    lti.capabilities, lti.put_data and lti.get_data from registered tool origins only.
 *  - "main_window": the Canvas page around the tool. It answers lti.capabilities, resizes the
 *    tool frame (lti.frameResize), shows alerts, and answers put/get sent to window.parent
 *    (the legacy target, needed when the sibling frame is absent, as in the RCE).
 * In "silent" mode (Canvas mobile apps) neither answers anything.
 */
(function () {
  "use strict";

  var STORAGE_CHAR_LIMIT = 4096;
  var STORAGE_KEY_LIMIT = 500;
  var FRAME = "post_message_forwarding";
  var SUPPORTED = [
    { subject: "lti.capabilities" },
    { subject: "lti.put_data", frame: FRAME },
    { subject: "lti.get_data", frame: FRAME },
    { subject: "lti.frameResize" },
    { subject: "lti.showAlert" },
    { subject: "lti.screenReaderAlert" },
    { subject: "lti.scrollToTop" },
    { subject: "lti.fetchWindowSize" }
  ];
  var ALIASES = {
    "org.imsglobal.lti.capabilities": "lti.capabilities",
    "org.imsglobal.lti.put_data": "lti.put_data",
    "org.imsglobal.lti.get_data": "lti.get_data"
  };

  function storageKey(origin, key) {
    return "lti|platform_storage|" + origin + "|" + key;
  }

  function usage(origin) {
    var prefix = storageKey(origin, "");
    var keys = 0;
    var chars = 0;
    for (var i = 0; i < window.localStorage.length; i++) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(prefix) === 0) {
        keys += 1;
        chars += name.length - prefix.length + (window.localStorage.getItem(name) || "").length;
      }
    }
    return { keys: keys, chars: chars };
  }

  function respond(event, subject, message, contents) {
    var reply = { subject: subject + ".response" };
    if (message.message_id) {
      reply.message_id = message.message_id;
    }
    for (var name in contents) {
      if (Object.prototype.hasOwnProperty.call(contents, name)) {
        reply[name] = contents[name];
      }
    }
    if (event.source) {
      event.source.postMessage(reply, event.origin);
    }
  }

  function respondError(event, subject, message, code, text) {
    var error = { code: code };
    if (text) {
      error.message = text;
    }
    respond(event, subject, message, { error: error });
  }

  function handleStorage(event, subject, message) {
    var canonical = ALIASES[subject] || subject;
    var key = message.key;
    if (!key) {
      respondError(event, subject, message, "bad_request", "Missing required 'key' field");
      return;
    }
    if (!message.message_id) {
      respondError(event, subject, message, "bad_request", "Missing required 'message_id' field");
      return;
    }
    var name = storageKey(event.origin, key);
    if (canonical === "lti.get_data") {
      respond(event, subject, message, { key: key, value: window.localStorage.getItem(name) });
      return;
    }
    var value = message.value;
    if (value === null || value === undefined || value === "") {
      window.localStorage.removeItem(name);
      respond(event, subject, message, { key: key, value: null });
      return;
    }
    if (typeof value !== "string") {
      respondError(event, subject, message, "bad_request", "'value' must be a string");
      return;
    }
    var current = usage(event.origin);
    var previous = window.localStorage.getItem(name);
    var extraKeys = previous === null ? 1 : 0;
    var extraChars = key.length + value.length - (previous === null ? 0 : key.length + previous.length);
    if (current.keys + extraKeys > STORAGE_KEY_LIMIT) {
      respondError(event, subject, message, "storage_exhaustion", "Reached key limit for tool");
      return;
    }
    if (current.chars + extraChars > STORAGE_CHAR_LIMIT) {
      respondError(event, subject, message, "storage_exhaustion", "Reached byte limit for tool");
      return;
    }
    window.localStorage.setItem(name, value);
    respond(event, subject, message, { key: key, value: value });
  }

  function toolFrame() {
    return document.querySelector("iframe[name='tool_content']");
  }

  function handleMainOnly(event, subject, message) {
    var frame = toolFrame();
    if (subject === "lti.frameResize") {
      var height = message.height;
      if (frame && height !== undefined && height !== null) {
        frame.style.height = typeof height === "number" || /^\d+$/.test(String(height))
          ? String(height) + "px"
          : String(height);
      }
      respond(event, subject, message, {});
      return true;
    }
    if (subject === "lti.showAlert") {
      var alerts = document.getElementById("flash_message_holder");
      if (alerts) {
        var box = document.createElement("div");
        box.className = "ic-flash ic-flash-" + (message.alertType || "success");
        box.setAttribute("role", "alert");
        box.textContent = (message.title ? message.title + ": " : "") + String(message.body || "");
        alerts.appendChild(box);
      }
      respond(event, subject, message, {});
      return true;
    }
    if (subject === "lti.screenReaderAlert") {
      var region = document.getElementById("flash_screenreader_holder");
      if (region) {
        region.textContent = typeof message.body === "string" ? message.body : JSON.stringify(message.body);
      }
      respond(event, subject, message, {});
      return true;
    }
    if (subject === "lti.scrollToTop") {
      window.scrollTo(0, 0);
      respond(event, subject, message, {});
      return true;
    }
    if (subject === "lti.fetchWindowSize") {
      var rect = frame ? frame.getBoundingClientRect() : { top: 0, left: 0 };
      respond(event, subject, message, {
        height: window.innerHeight,
        width: window.innerWidth,
        offset: { top: rect.top + window.scrollY, left: rect.left + window.scrollX },
        footer: 0,
        scrollY: window.scrollY
      });
      return true;
    }
    return false;
  }

  function parse(data) {
    if (typeof data === "string") {
      try {
        return JSON.parse(data);
      } catch (e) {
        return null;
      }
    }
    return data;
  }

  function listen(options) {
    var allowed = options.allowedOrigins || null;
    window.LtiMessages.log = [];
    window.addEventListener("message", function (event) {
      var message = parse(event.data);
      if (!message || typeof message !== "object") {
        return;
      }
      var subject = message.subject || message.messageType;
      if (typeof subject !== "string" || /\.response$/.test(subject)) {
        return;
      }
      window.LtiMessages.log.push({ subject: subject, origin: event.origin });
      if (options.mode === "silent") {
        return;
      }
      var canonical = ALIASES[subject] || subject;
      if (options.role === "forwarding_frame" && allowed && allowed.indexOf(event.origin) === -1) {
        respondError(event, subject, message, "wrong_origin");
        return;
      }
      if (canonical === "lti.capabilities") {
        respond(event, subject, message, { supported_messages: SUPPORTED });
        return;
      }
      if (canonical === "lti.put_data" || canonical === "lti.get_data") {
        handleStorage(event, subject, message);
        return;
      }
      if (options.role === "main_window" && handleMainOnly(event, subject, message)) {
        return;
      }
      respondError(event, subject, message, "unsupported_subject");
    });
  }

  window.LtiMessages = { listen: listen, storageKey: storageKey, log: [] };
})();
