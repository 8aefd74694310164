/* Script templates: fill the placeholders as the agent types, copy a part (or all) to the clipboard. */
(function () {
  const form = document.getElementById("placeholder-form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll("input[data-name]"));
  const parts = Array.from(document.querySelectorAll(".script-part"));

  function fill(text) {
    inputs.forEach(function (input) {
      if (input.value.trim()) text = text.split("{" + input.dataset.name + "}").join(input.value.trim());
    });
    return text;
  }
  function render() {
    parts.forEach(function (part) {
      const source = part.querySelector("template").innerHTML;
      const holder = document.createElement("textarea");
      holder.innerHTML = source;  // decode the escaped template text
      const filled = fill(holder.value);
      const out = part.querySelector(".script-text");
      out.textContent = "";
      filled.split(/(\{[^{}\s]{1,20}\})/).forEach(function (piece) {
        if (/^\{[^{}\s]{1,20}\}$/.test(piece)) {
          const span = document.createElement("span");
          span.className = "hole";
          span.textContent = piece;
          out.appendChild(span);
        } else {
          out.appendChild(document.createTextNode(piece));
        }
      });
    });
  }
  function copy(text, button) {
    const done = function () {
      const label = button.textContent;
      button.textContent = button.dataset.copied;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
      return;
    }
    const area = document.createElement("textarea");  // plain http on a LAN: no Clipboard API
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    done();
  }
  inputs.forEach(function (input) { input.addEventListener("input", render); });
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const target = button.dataset.copy;
      const texts = (target === "all" ? parts : [document.getElementById(target)])
        .map(function (part) { return part.querySelector(".script-text").textContent; });
      copy(texts.join("\n\n"), button);
    });
  });
  render();
})();
