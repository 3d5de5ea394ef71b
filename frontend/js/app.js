// ASYE 360 progressive enhancement: starts GOV.UK Frontend and adds copy buttons.
// Every page works without this file; it only adds conveniences.
import { initAll } from "/assets/js/govuk-frontend.min.js";

// GOV.UK Frontend v6 starts only on a <body> marked .govuk-frontend-supported. Its page template
// sets that class from an inline script, which our Content-Security-Policy (script-src 'self')
// may block; this file is itself a module, so reaching this line proves the same support.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

/**
 * Copy-to-clipboard buttons.
 *
 * Markup (left empty without JavaScript, so no dead button shows):
 *   <span class="app-code" id="link-nqsw">https://…</span>
 *   <div class="app-copy" data-copy-target="link-nqsw" data-copy-label="Copy NQSW link"></div>
 *
 * data-copy-target is the id of the element whose value (form fields) or text is copied.
 */
function textToCopy(target) {
  if ("value" in target && typeof target.value === "string") {
    return target.value;
  }
  return target.textContent.trim();
}

function initCopyButton(container) {
  const target = document.getElementById(container.dataset.copyTarget);
  if (!target || !navigator.clipboard || container.querySelector("button")) {
    return;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
  button.textContent = container.dataset.copyLabel || "Copy";

  // Announced by screen readers, shown to everyone.
  const status = document.createElement("span");
  status.className = "app-copy__status";
  status.setAttribute("role", "status");

  button.addEventListener("click", async () => {
    status.textContent = "";
    try {
      await navigator.clipboard.writeText(textToCopy(target));
      status.textContent = "Copied";
    } catch {
      status.textContent = "Could not copy: select the text and copy it yourself";
    }
  });

  container.append(button, status);
}

document.querySelectorAll("[data-copy-target]").forEach(initCopyButton);
