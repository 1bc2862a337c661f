// GOV.UK Frontend's components (the service navigation menu, error summary focus, details...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
