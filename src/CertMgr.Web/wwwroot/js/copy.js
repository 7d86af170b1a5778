// Copy buttons: <button data-copy-target="input-id">. No inline script, so the console's strict CSP applies.
(function () {
    "use strict";
    document.addEventListener("click", function (event) {
        var button = event.target.closest("[data-copy-target]");
        if (!button) {
            return;
        }
        var input = document.getElementById(button.getAttribute("data-copy-target"));
        if (!input) {
            return;
        }
        input.select();
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
            document.execCommand("copy");
            done();
        }
    });
})();
