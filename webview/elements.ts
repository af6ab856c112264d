// The web components the panel uses (buttons, text fields, the select, badges). main.ts loads this module once the
// headline figures are drawn: elements made before are upgraded when their definitions arrive.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
