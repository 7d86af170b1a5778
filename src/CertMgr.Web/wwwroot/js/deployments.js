// Deployment page: a deploy check can take seconds (connect and handshake timeouts). Show that it is running and keep
// the button from being pressed twice. Forms opt in with data-cm-busy="text shown while busy".
(function () {
    "use strict";
    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form || !form.hasAttribute || !form.hasAttribute("data-cm-busy")) {
            return;
        }
        var button = form.querySelector("button[type=submit]");
        if (!button) {
            return;
        }
        if (button.disabled) {
            event.preventDefault();
            return;
        }
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        button.textContent = "";
        var spinner = document.createElement("span");
        spinner.className = "spinner-border spinner-border-sm me-1";
        spinner.setAttribute("aria-hidden", "true");
        button.appendChild(spinner);
        button.appendChild(document.createTextNode(form.getAttribute("data-cm-busy") || "Working…"));
    });
})();
