// Libraries evaluated the first time they are used rather than at start-up (docs/decisions/0006):
// CommonJS, because only a require() inside a function lets the bundler defer a module's evaluation
// while the call stays synchronous, as validation and YAML parsing are. A validate of JSON
// definitions never evaluates yaml; an empty folder never evaluates ajv.
let ajv;
let yaml;

exports.loadAjv = () => {
  ajv ??= require('ajv');
  return ajv;
};

exports.loadYaml = () => {
  yaml ??= require('yaml');
  return yaml;
};
