// Starts Swagger UI on /api/docs against the service's own OpenAPI schema. A file of its own,
// not an inline script, so the page keeps the service's Content-Security-Policy.
/* global SwaggerUIBundle */
SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapiUrl,
  dom_id: "#swagger-ui",
  validatorUrl: null, // never send the schema to an outside validator
  deepLinking: true,
});
