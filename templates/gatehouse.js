// Small enhancements of server-rendered pages; every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <button data-copy="text"> or <button data-copy-from="element-id">: copy to the clipboard.
  for (const button of document.querySelectorAll("[data-copy], [data-copy-from]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = button.dataset.copyFrom && document.getElementById(button.dataset.copyFrom);
      const text = source ? (source.value ?? source.textContent) : button.dataset.copy;
      const label = button.textContent;
      try {
        await navigator.clipboard.writeText(text.trim());
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  }

  // <form data-confirm="question">: ask before sending.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // <form data-autosubmit>: sent at once (SAML POST binding); its button stays for no-JS.
  const autosubmit = document.querySelector("form[data-autosubmit]");
  if (autosubmit) autosubmit.submit();
});
