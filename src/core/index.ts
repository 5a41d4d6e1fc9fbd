export * from './document.js';
export * from './errors.js';
export * from './result.js';
export * from './severity.js';
