// Suggestions under the header's search box, as you type (GET /api/v1/search/autocomplete).
(function () {
  "use strict";
  const input = document.querySelector(".site-search input[name=q]");
  if (!input) return;
  const list = document.getElementById("search-suggestions");
  const endpoint = input.dataset.suggest;
  let timer = null;
  let controller = null;

  function hide() {
    list.hidden = true;
    list.replaceChildren();
  }

  function show(results) {
    list.replaceChildren();
    for (const hit of results) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      const link = document.createElement("a");
      link.href = hit.url;
      link.textContent = hit.title; // text, never HTML
      const kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + hit.type;
      link.append(kind);
      item.append(link);
      list.append(item);
    }
    list.hidden = results.length === 0;
  }

  async function suggest() {
    const text = input.value.trim();
    if (text.length < 2) return hide();
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(endpoint + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return hide();
      show((await response.json()).results);
    } catch (error) {
      if (error.name !== "AbortError") hide();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      list.querySelector("a").focus();
    } else if (event.key === "Escape") {
      hide();
    }
  });
  list.addEventListener("keydown", function (event) {
    const current = document.activeElement.closest("li");
    if (event.key === "ArrowDown" && current && current.nextElementSibling) {
      event.preventDefault();
      current.nextElementSibling.querySelector("a").focus();
    } else if (event.key === "ArrowUp" && current) {
      event.preventDefault();
      (current.previousElementSibling ? current.previousElementSibling.querySelector("a") : input).focus();
    } else if (event.key === "Escape") {
      hide();
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".site-search")) hide();
  });
})();
