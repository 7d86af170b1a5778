// The API reference page: swagger-ui over /openapi/v1.json. A separate file: the CSP allows no inline script.
(function () {
    "use strict";
    var root = document.getElementById("api-reference");
    window.ui = SwaggerUIBundle({
        url: root.getAttribute("data-document-url"),
        domNode: root,
        deepLinking: true,
        persistAuthorization: false,
        tryItOutEnabled: false,
        validatorUrl: null,
        // Sections start closed, with a filter box: swagger-ui stops rendering after a few sections when all 100+
        // operations are listed open at once.
        docExpansion: "none",
        filter: true,
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout"
    });
})();
