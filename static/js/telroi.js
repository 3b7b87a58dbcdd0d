// Telroi's small client helpers. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  // A failed htmx request shows the server's message where the answer was going.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target && event.detail.xhr.responseText) {
      target.innerHTML = event.detail.xhr.responseText;
    }
  });

  // Range sliders mirror their number input (data-sync names it) both ways.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.sync) {
      var twin = document.getElementById(el.dataset.sync);
      if (twin) { twin.value = el.value; twin.dispatchEvent(new Event("input", { bubbles: true })); }
    } else if (el.id) {
      var range = document.getElementById(el.id + "-range");
      if (range) { range.value = el.value; }
    }
  });

  // Upload: progress bar while the files travel.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("upload-progress");
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  // Drag and drop onto the drop zone fills the file input and lists the files.
  function listFiles(zone, input) {
    var list = zone.querySelector("[data-file-list]");
    if (!list) { return; }
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)";
      list.appendChild(item);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-dropzone]"), function (zone) {
      var input = zone.querySelector("input[type=file]");
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          listFiles(zone, input);
        }
      });
      input.addEventListener("change", function () { listFiles(zone, input); });
    });
  });
})();
