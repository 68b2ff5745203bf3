// ajv, evaluated the first time a schema is checked rather than at start-up (docs/decisions/0006):
// CommonJS, because only a require() inside a function lets the bundler defer a module's evaluation
// while keeping the call synchronous, as validation is.
let ajv;
exports.loadAjv = () => {
  ajv ??= require('ajv');
  return ajv;
};
