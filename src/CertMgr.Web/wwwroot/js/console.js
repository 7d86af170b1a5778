// CertMgr console: small behaviours on top of htmx. No inline script anywhere, so a strict CSP can apply.
(function () {
    "use strict";

    // Empty form fields ("All modes", an empty search) stay out of GET URLs: /definitions?q=mail, not ?q=mail&mode=.
    document.addEventListener("htmx:configRequest", function (event) {
        if (event.detail.verb !== "get") {
            // /api refuses a cookie-authenticated POST/PUT/PATCH/DELETE without this header (CSRF protection).
            event.detail.headers["X-CertMgr-Csrf"] = "1";
            return;
        }
        var parameters = event.detail.parameters;
        Object.keys(parameters).forEach(function (key) {
            if (parameters[key] === "") {
                delete parameters[key];
            }
        });
    });

    // When a swap removed the focused control (e.g. "Next" on the new last page), keep keyboard users in the list
    // instead of dropping them at the top of the document.
    document.addEventListener("htmx:afterSettle", function (event) {
        var region = event.detail.elt;
        if (!region || !region.classList || !region.classList.contains("cm-list-region")) {
            return;
        }
        if (document.activeElement === null || document.activeElement === document.body) {
            region.focus({ preventScroll: true });
        }
    });
})();
