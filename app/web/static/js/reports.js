/* Report pages: one poller per page, confirmations, in-place actions, busy submit buttons.

   - Live progress: polls the tool's own /api/jobs (database only, never Canvas) and redraws
     every element bound to a job (data-job-id): table rows, the "In Canvas" box, the job
     page. Whether a job is finished comes from the server's JSON ("finished"), written
     back into data-finished. Other open tabs get each change at once (BroadcastChannel)
     and keep polling on their own too.
   - Abort and Delete ask first in a native <dialog> (Escape or Cancel closes it and gives
     focus back); the confirmed action runs with fetch and the row updates in place, also
     when Canvas had already finished (409 "already finished").
   - Forms marked data-busy-submit disable their submit button while they submit. */
(function () {
  "use strict";

  var MIN_DELAY = 2000;
  var MAX_DELAY = 15000;
  var delay = MIN_DELAY;
  var timer = null;
  var inFlight = false;
  var channel = null;

  function token() {
    var meta = document.querySelector('meta[name="launch-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function request(url, options) {
    var opts = options || {};
    opts.headers = opts.headers || {};
    opts.headers.Accept = "application/json";
    if (typeof window.ltiFetch === "function") {
      return window.ltiFetch(url, opts);
    }
    opts.headers.Authorization = "Bearer " + token();
    opts.credentials = "omit";
    return fetch(url, opts);
  }

  function bound(id) {
    return Array.prototype.slice.call(
      document.querySelectorAll('[data-job-id="' + String(id) + '"]'));
  }

  function liveIds() {
    var ids = {};
    document.querySelectorAll("[data-job-id]").forEach(function (el) {
      if (el.getAttribute("data-finished") !== "1") {
        ids[el.getAttribute("data-job-id")] = true;
      }
    });
    return Object.keys(ids);
  }

  function label(name, fallback) {
    var region = document.getElementById("report-announcer");
    var value = region ? region.getAttribute("data-label-" + name) : null;
    return value || fallback;
  }

  function announce(text) {
    var region = document.getElementById("report-announcer");
    if (region) {
      region.textContent = text;
    }
  }

  function field(el, name) {
    return el.querySelector('[data-field="' + name + '"]');
  }

  function setText(el, name, text) {
    var target = field(el, name);
    if (target && target.textContent !== text) {
      target.textContent = text;
    }
    return target;
  }

  function humanSize(size) {
    if (size === null || size === undefined) {
      return "";
    }
    var units = ["B", "KB", "MB", "GB"];
    var value = size;
    var i = 0;
    while (value >= 1024 && i < units.length - 1) {
      value /= 1024;
      i += 1;
    }
    return i === 0 ? value + " B" : value.toFixed(1) + " " + units[i];
  }

  function elapsedText(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var mm = h ? (m < 10 ? "0" + m : String(m)) : String(m);
    var ss = sec < 10 ? "0" + sec : String(sec);
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function drawFile(el, job) {
    var file = field(el, "file");
    if (!file || !job.download_url || file.querySelector("a")) {
      return;
    }
    var link = document.createElement("a");
    link.href = job.download_url;
    link.className = "report-download truncate";
    link.setAttribute("download", "");
    link.textContent = job.file_name || label("download", "Download");
    link.title = link.textContent;
    file.textContent = "";
    file.appendChild(link);
    if (job.file_size !== null && job.file_size !== undefined) {
      var size = document.createElement("span");
      size.className = "report-size";
      size.textContent = "(" + humanSize(job.file_size) + ")";
      file.appendChild(document.createTextNode(" "));
      file.appendChild(size);
    }
    if (job.insights_url) {
      var insights = document.createElement("a");
      insights.href = job.insights_url;
      insights.className = "report-insights";
      insights.textContent = label("insights", "Insights");
      file.appendChild(document.createTextNode(" "));
      file.appendChild(insights);
    }
  }

  function canvasText(job) {
    if (job.status === "complete" && job.file_name) {
      var size = job.file_size === null || job.file_size === undefined
        ? "" : " (" + humanSize(job.file_size) + ")";
      return label("generated", "generated") + " \u2014 " + job.file_name + size;
    }
    if (!job.finished && job.status !== "stale") {
      return label("generating", "being generated") + " (" + Math.round(job.percent) + "%)";
    }
    return label("not-generated", "not generated");
  }

  function redraw(el, job) {
    var before = el.getAttribute("data-status");
    el.setAttribute("data-status", job.status);
    el.setAttribute("data-finished", job.finished ? "1" : "0");
    el.setAttribute("data-elapsed", String(job.elapsed_seconds || 0));
    el.setAttribute("data-elapsed-at", String(Date.now()));
    var status = setText(el, "status", job.status_label);
    if (status) {
      status.className = "report-status status-" + job.status;
    }
    setText(el, "error", job.error || "");
    setText(el, "percent", Math.round(job.percent) + "%");
    var phase = setText(el, "phase", job.phase_label);
    if (phase) {
      phase.className = "report-phase phase-" + job.phase;
    }
    setText(el, "elapsed", elapsedText(job.elapsed_seconds || 0));
    setText(el, "line", job.current_line ? label("line", "line") + " " + job.current_line : "");
    setText(el, "canvas", canvasText(job));
    var bar = el.querySelector("progress");
    if (bar) {
      var pct = Math.round(job.percent * 10) / 10;
      bar.value = pct;
      bar.setAttribute("aria-valuenow", String(pct));
    }
    drawFile(el, job);
    ["abort", "retry", "delete"].forEach(function (action) {
      var form = el.querySelector('form[data-action="' + action + '"]');
      if (form) {
        form.hidden = !job["can_" + action];
      }
    });
    return before !== job.status;
  }

  function apply(jobs, fromOtherTab) {
    var changed = false;
    jobs.forEach(function (job) {
      var els = bound(job.id);
      var moved = false;
      els.forEach(function (el) {
        var percentBefore = el.querySelector("progress") ? el.querySelector("progress").value : null;
        if (redraw(el, job)) {
          moved = true;
        }
        if (percentBefore !== null && Math.round(percentBefore * 10) !== Math.round(job.percent * 10)) {
          changed = true;
        }
      });
      if (moved && els.length) {
        changed = true;
        announce((job.title || label("report", "Report")) + ": " + job.status_label);
      }
    });
    if (changed && !fromOtherTab && channel) {
      channel.postMessage({ jobs: jobs });
    }
    return changed;
  }

  function schedule(ms) {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(tick, ms);
  }

  function tick() {
    timer = null;
    var ids = liveIds();
    if (ids.length === 0 || inFlight) {
      return;
    }
    inFlight = true;
    request("/api/jobs?ids=" + ids.join(","))
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        inFlight = false;
        var changed = apply(data.jobs, false);
        delay = changed ? MIN_DELAY : Math.min(MAX_DELAY, Math.round(delay * 1.5));
        schedule(delay);
      })
      .catch(function () {
        inFlight = false;
        delay = MAX_DELAY;
        schedule(delay);
      });
  }

  function pollSoon() {
    delay = MIN_DELAY;
    schedule(MIN_DELAY);
  }

  // Elapsed time of live jobs moves every second between polls (fixed-width text).
  function tickElapsed() {
    document.querySelectorAll('[data-job-id][data-finished="0"][data-elapsed]').forEach(function (el) {
      var base = Number(el.getAttribute("data-elapsed"));
      var at = Number(el.getAttribute("data-elapsed-at"));
      if (!isNaN(base) && !isNaN(at)) {
        setText(el, "elapsed", elapsedText(base + (Date.now() - at) / 1000));
      }
    });
  }

  // ------------------------------------------------------------ busy submit buttons

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) {
      form.setAttribute("data-busy", "1");
    } else {
      form.removeAttribute("data-busy");
    }
    form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (button) {
      button.disabled = busy;
      button.setAttribute("aria-busy", busy ? "true" : "false");
    });
  }

  function onBusySubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy-submit")) {
      return;
    }
    if (form.getAttribute("data-busy") === "1") {
      event.preventDefault();  // a double click or a second Enter sends nothing more
      return;
    }
    setBusy(form, true);
  }

  // ------------------------------------------------------------ actions and confirmation

  var dialog = null;
  var pending = null;

  function notice(form, text) {
    var holder = form.closest("[data-job-id]");
    var place = holder ? field(holder, "notice") : null;
    if (place) {
      place.textContent = text;
    } else {
      var page = document.getElementById("report-page-notice");
      if (page) {
        page.textContent = text;
        page.hidden = !text;
      }
    }
  }

  function runAction(form) {
    var data = new FormData(form);
    data.set("confirm", "1");
    setBusy(form, true);
    notice(form, "");
    request(form.action, { method: "POST", body: data })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        }, function () {
          return { status: response.status, body: {} };
        });
      })
      .then(function (answer) {
        setBusy(form, false);
        var job = answer.status === 200 ? answer.body : answer.body.job;
        if (job && job.id !== undefined) {
          apply([job], false);
          if (channel) {
            channel.postMessage({ jobs: [job] });
          }
        }
        if (answer.status !== 200) {
          notice(form, answer.body.message || label("failed", "The request failed."));
        }
        pollSoon();
      })
      .catch(function () {
        setBusy(form, false);
        notice(form, label("failed", "The request did not reach the tool. Try again."));
      });
  }

  function closeDialog(confirmed) {
    if (!dialog || !pending) {
      return;
    }
    var form = pending.form;
    var opener = pending.opener;
    pending = null;
    if (dialog.open) {
      dialog.close();
    }
    if (confirmed) {
      runAction(form);
    }
    if (opener && document.contains(opener) && !opener.closest("[hidden]")) {
      opener.focus();
    } else {
      var holder = form.closest("[data-job-id]");
      var fallback = holder ? holder.querySelector("a, button:not([disabled])") : null;
      if (fallback) {
        fallback.focus();
      }
    }
  }

  function ask(form, opener) {
    if (!dialog || typeof dialog.showModal !== "function") {
      runAction(form);
      return;
    }
    pending = { form: form, opener: opener };
    dialog.querySelector("#report-confirm-text").textContent = form.getAttribute("data-confirm");
    var yes = dialog.querySelector('[data-dialog="confirm"]');
    var button = form.querySelector("button");
    yes.textContent = button ? button.textContent : "OK";
    dialog.showModal();
    dialog.querySelector('[data-dialog="cancel"]').focus();
  }

  function onActionSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("report-action")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("data-busy") === "1") {
      return;
    }
    var opener = event.submitter || form.querySelector("button");
    if (form.hasAttribute("data-confirm")) {
      ask(form, opener);
    } else {
      runAction(form);
    }
  }

  function setUpDialog() {
    dialog = document.getElementById("report-confirm");
    if (!dialog) {
      return;
    }
    dialog.addEventListener("click", function (event) {
      var choice = event.target.closest ? event.target.closest("[data-dialog]") : null;
      if (choice) {
        closeDialog(choice.getAttribute("data-dialog") === "confirm");
      }
    });
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();  // Escape: close through our path, so focus goes back
      closeDialog(false);
    });
  }

  // ------------------------------------------------------------ start

  function start() {
    setUpDialog();
    document.addEventListener("submit", onActionSubmit);
    document.addEventListener("submit", onBusySubmit);
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        document.querySelectorAll("form[data-busy]").forEach(function (form) {
          setBusy(form, false);
        });
      }
    });
    var summary = document.getElementById("form-summary");
    if (summary) {
      summary.focus();
    }
    if (typeof window.BroadcastChannel === "function") {
      channel = new window.BroadcastChannel("canvas-reports-jobs");
      channel.onmessage = function (event) {
        if (event.data && event.data.jobs) {
          apply(event.data.jobs, true);
          pollSoon();
        }
      };
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        pollSoon();
      }
    });
    document.querySelectorAll('[data-job-id][data-finished="0"]').forEach(function (el) {
      el.setAttribute("data-elapsed-at", String(Date.now()));
      var shown = field(el, "elapsed");
      if (shown) {
        var parts = shown.textContent.split(":").map(Number);
        var seconds = parts.reduce(function (acc, n) { return acc * 60 + n; }, 0);
        el.setAttribute("data-elapsed", String(seconds));
      }
    });
    window.setInterval(tickElapsed, 1000);
    schedule(MIN_DELAY);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
