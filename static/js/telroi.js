// Telroi's small client helpers. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // Make a failed htmx request visible instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    var status = event.detail.xhr.status;
    var box = document.getElementById("flash");
    if (box) {
      box.textContent = box.dataset["error" + Math.floor(status / 100) + "xx"] || ("Error " + status);
      box.hidden = false;
    } else if (target) {
      target.setAttribute("aria-invalid", "true");
    }
  });
})();
