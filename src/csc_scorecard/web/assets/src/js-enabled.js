// Runs first in <body>: the CSP allows no inline script, so GOV.UK Frontend's usual one-liner lives here.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
