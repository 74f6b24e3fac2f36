// Upload with a progress bar: posts the form to the tracks API, shows field errors inline.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function clearErrors() {
    form.querySelectorAll(".js-error").forEach(function (el) { el.remove(); });
  }
  function showError(fieldName, text) {
    var input = form.querySelector("[name=" + fieldName + "]");
    var p = document.createElement("p");
    p.className = "field-error js-error";
    p.setAttribute("role", "alert");
    p.textContent = text; // text only: never markup from the server or the file name
    (input ? input.parentNode : form).appendChild(p);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.set("is_public", form.querySelector("[name=is_public]").checked ? "true" : "false");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.api);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = "Uploading… " + bar.value + " %";
      }
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201) {
        status.textContent = "Uploaded.";
        window.location.href = "/tracks/" + body.id + "/";
        return;
      }
      bar.hidden = true;
      var error = body.error || {};
      status.textContent = error.detail || "The upload failed (" + xhr.status + ").";
      Object.keys(error.fields || {}).forEach(function (name) {
        [].concat(error.fields[name]).forEach(function (text) { showError(name, text); });
      });
    });
    xhr.addEventListener("error", function () {
      bar.hidden = true;
      status.textContent = "The connection was lost during the upload. Please try again.";
    });
    bar.hidden = false;
    bar.value = 0;
    xhr.send(data);
  });
})();
