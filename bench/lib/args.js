// @ts-check
'use strict';
/** The `--name value` arguments of a bench peer script. */

/**
 * arg(name, fallback): the value after `--name` in argv, or fallback.
 * @param {string[]} argv
 */
function argReader(argv) {
  /** @param {string} name @param {string} fallback */
  return (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
}

module.exports = { argReader };
