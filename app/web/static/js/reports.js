/* Live progress for report jobs: polls the tool's own /api/jobs (database only, never
   Canvas), redraws rows marked data-job-id, and announces status changes politely. */
(function () {
  "use strict";

  var FINISHED = { complete: true, failed: true, aborted: true, deleted: true, stale: true };
  var MIN_DELAY = 2000;
  var MAX_DELAY = 15000;

  function token() {
    var meta = document.querySelector('meta[name="launch-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function fetchJson(url) {
    if (typeof window.ltiFetch === "function") {
      return window.ltiFetch(url, { headers: { Accept: "application/json" } });
    }
    return fetch(url, {
      headers: { Accept: "application/json", Authorization: "Bearer " + token() },
      credentials: "omit"
    });
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-job-id]"));
  }

  function liveIds() {
    var ids = {};
    rows().forEach(function (row) {
      if (!FINISHED[row.getAttribute("data-status")]) {
        ids[row.getAttribute("data-job-id")] = true;
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

  function setText(row, field, text) {
    var el = row.querySelector('[data-field="' + field + '"]');
    if (el) {
      el.textContent = text;
    }
    return el;
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

  function redraw(row, job) {
    var before = row.getAttribute("data-status");
    row.setAttribute("data-status", job.status);
    var status = setText(row, "status", job.status_label);
    if (status) {
      status.className = "report-status status-" + job.status;
    }
    setText(row, "error", job.error || "");
    setText(row, "percent", Math.round(job.percent) + "%");
    setText(row, "line", job.current_line ? label("line", "line") + " " + job.current_line : "");
    var bar = row.querySelector("progress");
    if (bar) {
      var pct = Math.round(job.percent * 10) / 10;
      bar.value = pct;
      bar.setAttribute("aria-valuenow", String(pct));
    }
    var file = row.querySelector('[data-field="file"]');
    if (file && job.download_url && !file.querySelector("a")) {
      var link = document.createElement("a");
      link.href = job.download_url;
      link.className = "report-download";
      link.setAttribute("download", "");
      link.textContent = job.file_name || label("download", "Download");
      file.textContent = "";
      file.appendChild(link);
      if (job.file_size !== null && job.file_size !== undefined) {
        file.appendChild(document.createTextNode(" (" + humanSize(job.file_size) + ")"));
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
    ["abort", "retry", "delete"].forEach(function (action) {
      var form = row.querySelector('form[data-action="' + action + '"]');
      if (form) {
        form.hidden = !job["can_" + action];
      }
    });
    if (before !== job.status) {
      announce((job.title || label("report", "Report")) + ": " + job.status_label);
    }
  }

  var delay = MIN_DELAY;

  function tick() {
    var ids = liveIds();
    if (ids.length === 0) {
      return;
    }
    fetchJson("/api/jobs?ids=" + ids.join(","))
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var changed = false;
        data.jobs.forEach(function (job) {
          rows().forEach(function (row) {
            if (row.getAttribute("data-job-id") === String(job.id)) {
              if (row.getAttribute("data-status") !== job.status) {
                changed = true;
              }
              redraw(row, job);
            }
          });
        });
        delay = changed ? MIN_DELAY : Math.min(MAX_DELAY, Math.round(delay * 1.5));
        window.setTimeout(tick, delay);
      })
      .catch(function () {
        delay = MAX_DELAY;
        window.setTimeout(tick, delay);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { window.setTimeout(tick, MIN_DELAY); });
  } else {
    window.setTimeout(tick, MIN_DELAY);
  }
})();
