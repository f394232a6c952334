// The admin's own script (no build step, no dependency). It only enhances: every page works
// without it. A relation's <select data-pick="URL"> becomes a combobox whose options are
// the records matching what the user types (GET URL?q=..., answered as JSON from the
// server's queryPage, as the caller); a multiple select becomes chips with such a combobox
// to add one. Keyboard: ArrowDown/ArrowUp move, Enter chooses, Escape closes.
(function () {
  "use strict";
  var DELAY = 200;

  function enhance(root) {
    var selects = (root.querySelectorAll ? root : document).querySelectorAll("select[data-pick]");
    Array.prototype.forEach.call(selects, function (select) {
      if (select.multiple) {
        chips(select);
      } else {
        single(select);
      }
    });
  }

  function labelOf(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.trim() : select.name;
  }

  // The text input, its listbox and the fetching of matches; `chosen(option)` is called
  // with {id, title} when the user picks one.
  function combobox(select, chosen) {
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var state = { options: [], active: -1, timer: null, asked: 0 };
    input.type = "text";
    input.id = select.id;
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", select.id + "-options");
    ["aria-invalid", "aria-describedby", "required"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    list.id = select.id + "-options";
    list.className = "options";
    list.hidden = true;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", labelOf(select) + " matches");

    function open(shown) {
      list.hidden = !shown;
      input.setAttribute("aria-expanded", shown ? "true" : "false");
      if (!shown) input.removeAttribute("aria-activedescendant");
    }

    function show(options) {
      list.textContent = "";
      state.options = options;
      state.active = -1;
      options.forEach(function (option, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = option.title;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the input
          choose(index);
        });
        list.appendChild(item);
      });
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "No match";
        list.appendChild(none);
      }
      open(true);
    }

    function ask() {
      var asked = ++state.asked;
      fetch(select.dataset.pick + "?q=" + encodeURIComponent(input.value), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (answer) {
        return answer.ok ? answer.json() : { options: [] };
      }).then(function (found) {
        if (asked === state.asked && document.activeElement === input) show(found.options);
      }).catch(function () { open(false); });
    }

    function move(step) {
      if (list.hidden) { ask(); return; }
      var count = state.options.length;
      if (!count) return;
      state.active = (state.active + step + count) % count;
      Array.prototype.forEach.call(list.children, function (item, index) {
        item.setAttribute("aria-selected", index === state.active ? "true" : "false");
      });
      var current = list.children[state.active];
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var option = state.options[index];
      open(false);
      if (option) chosen(option);
    }

    input.addEventListener("input", function () {
      clearTimeout(state.timer);
      state.timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && state.active >= 0) {
        event.preventDefault();  // choosing is not submitting the form
        choose(state.active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        open(false);
      }
    });
    return { input: input, list: list, open: open };
  }

  function single(select) {
    var picked = select.options[select.selectedIndex];
    var value = document.createElement("input");
    var wrapper = document.createElement("div");
    var title = picked && picked.value ? picked.textContent : "";
    value.type = "hidden";
    value.name = select.name;
    value.value = picked ? picked.value : "";
    var box = combobox(select, function (option) {
      value.value = option.id;
      title = box.input.value = option.title;
    });
    box.input.value = title;
    box.input.placeholder = select.options[0] && !select.options[0].value ?
      "type to search" : "";
    box.input.addEventListener("blur", function () {
      box.open(false);
      if (!box.input.value.trim() && !select.required) {
        value.value = title = "";  // emptied: no record
      }
      box.input.value = title;
    });
    wrapper.className = "picker";
    wrapper.append(box.input, value, box.list);
    select.replaceWith(wrapper);
  }

  function chips(select) {
    var wrapper = document.createElement("div");
    var shown = document.createElement("ul");
    var name = select.name;
    var label = labelOf(select);
    shown.className = "chips";
    shown.setAttribute("aria-label", label + " chosen");

    function add(id, title) {
      if (shown.querySelector('input[value="' + CSS.escape(id) + '"]')) return;
      var chip = document.createElement("li");
      var value = document.createElement("input");
      var remove = document.createElement("button");
      value.type = "hidden";
      value.name = name;
      value.value = id;
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", "Remove " + title);
      remove.addEventListener("click", function () {
        chip.remove();
        box.input.focus();
      });
      chip.className = "chip";
      chip.append(document.createTextNode(title), value, remove);
      shown.appendChild(chip);
    }

    var box = combobox(select, function (option) {
      add(option.id, option.title);
      box.input.value = "";
    });
    box.input.placeholder = "type to add";
    box.input.addEventListener("blur", function () { box.open(false); box.input.value = ""; });
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      add(option.value, option.textContent);
    });
    wrapper.className = "picker many";
    wrapper.append(shown, box.input, box.list);
    select.replaceWith(wrapper);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
