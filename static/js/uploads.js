// Upload forms: previews of the chosen images, images over the size limit scaled down in
// the browser, and a progress bar while sending. Without this file (or without the browser
// features it needs) the form posts as a plain multipart form and the server checks it all.
(function () {
  "use strict";

  var ACCEPTED = ["image/jpeg", "image/png", "image/webp"];
  var MB = 1024 * 1024;

  // Django's JavaScript catalogue (/i18n/js/) defines these in the page's language; without
  // it the messages stay in English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  // "640 KB" below a megabyte (never "0.0 MB"), "2.4 MB" below ten, "12 MB" above.
  function formatSize(bytes) {
    var KB = 1024;
    if (bytes < MB) {
      var kilobytes = Math.max(1, Math.round(bytes / KB));
      if (kilobytes < 1024) {
        return interpolate(gettext("%(size)s KB"), { size: kilobytes }, true);
      }
    }
    var value = bytes / MB;
    var number = value >= 10 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, "");
    if (window.get_format && get_format("DECIMAL_SEPARATOR") !== "DECIMAL_SEPARATOR") {
      number = number.replace(".", get_format("DECIMAL_SEPARATOR"));
    }
    return interpolate(gettext("%(size)s MB"), { size: number }, true);
  }

  function canReplaceFiles() {
    try {
      return typeof DataTransfer === "function" && !!new DataTransfer().items;
    } catch (error) {
      return false;
    }
  }

  function jpegName(name) {
    var dot = name.lastIndexOf(".");
    return (dot > 0 ? name.slice(0, dot) : name) + ".jpg";
  }

  // Draw the image smaller and re-encode it as JPEG until it fits under maxBytes.
  function downscale(file, maxBytes) {
    if (typeof createImageBitmap !== "function") {
      return Promise.resolve(null);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, Math.sqrt(maxBytes / file.size) * 0.9);
      function attempt(round) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        var context = canvas.getContext("2d");
        context.fillStyle = "#ffffff"; // JPEG has no transparency: paint a white page first
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) {
          canvas.toBlob(resolve, "image/jpeg", 0.85);
        }).then(function (blob) {
          if (blob && blob.size <= maxBytes) {
            return new File([blob], jpegName(file.name), { type: "image/jpeg", lastModified: Date.now() });
          }
          if (round >= 5) {
            return null;
          }
          scale *= 0.75;
          return attempt(round + 1);
        });
      }
      return attempt(0);
    }).catch(function () {
      return null;
    });
  }

  function previewItem(file, note, isError) {
    var item = document.createElement("li");
    item.className = "upload-preview" + (isError ? " upload-preview--error" : "");
    if (!isError && ACCEPTED.indexOf(file.type) !== -1) {
      var image = document.createElement("img");
      image.alt = "";
      image.src = URL.createObjectURL(file);
      image.addEventListener("load", function () {
        URL.revokeObjectURL(image.src);
      });
      item.appendChild(image);
    }
    var caption = document.createElement("span");
    caption.className = "upload-preview__name";
    caption.textContent = file.name + " (" + formatSize(file.size) + ")";
    item.appendChild(caption);
    if (note) {
      var extra = document.createElement("span");
      extra.className = "upload-preview__note";
      extra.textContent = note;
      item.appendChild(extra);
    }
    return item;
  }

  function handleChoice(input, maxBytes) {
    var list = document.querySelector('[data-previews-for="' + input.id + '"]');
    var files = Array.prototype.slice.call(input.files || []);
    var maxFiles = parseInt(input.getAttribute("data-max-files") || "0", 10);
    if (list) {
      list.textContent = "";
    }
    if (maxFiles && files.length > maxFiles && list) {
      var warning = document.createElement("li");
      warning.className = "upload-preview upload-preview--error";
      warning.textContent = interpolate(
        ngettext(
          "You chose %(count)s image; at most %(max)s can be sent.",
          "You chose %(count)s images; at most %(max)s can be sent.",
          files.length
        ),
        { count: files.length, max: maxFiles },
        true
      );
      list.appendChild(warning);
    }
    var tooBig = files.filter(function (file) {
      return file.size > maxBytes && ACCEPTED.indexOf(file.type) !== -1;
    });
    var work = Promise.resolve(files);
    if (tooBig.length && canReplaceFiles()) {
      input.setAttribute("data-busy", "true");
      work = Promise.all(
        files.map(function (file) {
          if (tooBig.indexOf(file) === -1) {
            return file;
          }
          return downscale(file, maxBytes).then(function (smaller) {
            if (smaller) {
              smaller.scaledFrom = file.size;
            }
            return smaller || file;
          });
        })
      ).then(function (chosen) {
        var transfer = new DataTransfer();
        chosen.forEach(function (file) {
          transfer.items.add(file);
        });
        input.files = transfer.files;
        input.removeAttribute("data-busy");
        return chosen;
      });
    }
    return work.then(function (chosen) {
      if (!list) {
        return;
      }
      chosen.forEach(function (file) {
        if (ACCEPTED.indexOf(file.type) === -1) {
          list.appendChild(previewItem(file, gettext("Not a JPG, PNG or WEBP image."), true));
        } else if (file.size > maxBytes) {
          list.appendChild(previewItem(file, interpolate(gettext("Larger than %(size)s."), { size: formatSize(maxBytes) }, true), true));
        } else if (file.scaledFrom) {
          list.appendChild(previewItem(
            file,
            interpolate(gettext("Scaled down from %(size)s to fit."), { size: formatSize(file.scaledFrom) }, true),
            false
          ));
        } else {
          list.appendChild(previewItem(file, "", false));
        }
      });
    });
  }

  // Swap the page's main content for the answer's (the result page, or the form with its
  // errors), as if the browser had navigated there.
  function showAnswer(xhr, form) {
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var incoming = doc.querySelector("main");
    var current = document.querySelector("main");
    if (!incoming || !current) {
      window.location.assign(xhr.responseURL || form.action);
      return;
    }
    current.replaceChildren.apply(current, Array.prototype.slice.call(incoming.childNodes));
    if (doc.title) {
      document.title = doc.title;
    }
    if (xhr.responseURL && xhr.responseURL !== window.location.href) {
      window.history.pushState(null, "", xhr.responseURL);
    }
    current.focus();
    init(current);
  }

  function sendWithProgress(form, event) {
    if (typeof FormData !== "function" || typeof XMLHttpRequest !== "function") {
      return; // the browser posts the form itself
    }
    event.preventDefault();
    var box = form.querySelector(".upload-progress");
    var bar = box ? box.querySelector("progress") : null;
    // The button that sent the form: "Send", or "Remove" beside a picture kept from before.
    var button = event.submitter || form.querySelector('button[type="submit"]');
    if (box) {
      box.hidden = false;
    }
    if (button) {
      button.disabled = true;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (progress) {
      if (bar && progress.lengthComputable) {
        bar.value = Math.round((progress.loaded / progress.total) * 100);
      }
    });
    xhr.addEventListener("load", function () {
      if (bar) {
        bar.value = 100;
      }
      showAnswer(xhr, form);
    });
    xhr.addEventListener("error", function () {
      if (box) {
        box.hidden = true;
      }
      if (button) {
        button.disabled = false;
      }
      var note = form.querySelector(".upload-failed");
      if (!note) {
        note = document.createElement("p");
        note.className = "errorlist upload-failed";
        note.setAttribute("role", "alert");
        form.insertBefore(note, form.firstChild);
      }
      note.textContent = gettext("Sending failed: please check your connection and try again.");
    });
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    xhr.send(data);
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-upload-form]"), function (form) {
      var maxBytes = parseFloat(form.getAttribute("data-max-megabytes") || "10") * MB;
      var pending = Promise.resolve();
      Array.prototype.forEach.call(form.querySelectorAll('input[type="file"]'), function (input) {
        input.addEventListener("change", function () {
          pending = handleChoice(input, maxBytes);
        });
      });
      form.addEventListener("submit", function (event) {
        if (form.querySelector('input[data-busy="true"]')) {
          // Still scaling an image down: send once that is done.
          event.preventDefault();
          pending.then(function () {
            form.requestSubmit ? form.requestSubmit() : form.submit();
          });
          return;
        }
        sendWithProgress(form, event);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
