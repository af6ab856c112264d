// VS Code theme variables for the harness page (a subset of Dark Modern, Light Modern and Dark High Contrast, the
// ones the panel and @vscode-elements use). In the editor VS Code injects these itself.
// eslint-disable-next-line no-unused-vars
window.__HARNESS_THEMES = {
  dark: {
    bodyClass: 'vscode-dark', kind: 'vscode-dark',
    vars: {
      'foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'sideBar-background': '#181818', 'editor-background': '#1f1f1f',
      'widget-border': '#313131', 'panel-border': '#2b2b2b', 'editorWidget-background': '#202020', 'errorForeground': '#f85149',
      'editorWarning-foreground': '#cca700', 'charts-green': '#89d185', 'charts-blue': '#3794ff', 'charts-purple': '#b180d7',
      'charts-orange': '#d18616', 'charts-yellow': '#cca700', 'charts-red': '#f14c4c', 'input-background': '#313131',
      'input-border': '#3c3c3c', 'input-foreground': '#cccccc', 'input-placeholderForeground': '#989898', 'focusBorder': '#0078d4',
      'list-hoverBackground': '#2a2d2e', 'textCodeBlock-background': '#2b2b2b', 'button-background': '#0078d4',
      'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
      'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'dropdown-background': '#313131', 'dropdown-border': '#3c3c3c',
      'dropdown-foreground': '#cccccc', 'dropdown-listBackground': '#1f1f1f', 'icon-foreground': '#cccccc',
      'settings-textInputBackground': '#313131', 'settings-textInputBorder': '#3c3c3c', 'settings-dropdownBackground': '#313131',
      'settings-dropdownBorder': '#3c3c3c', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
      'list-focusOutline': '#0078d4', 'widget-shadow': 'rgba(0,0,0,0.36)', 'quickInput-background': '#222222',
    },
  },
  light: {
    bodyClass: 'vscode-light', kind: 'vscode-light',
    vars: {
      'foreground': '#3b3b3b', 'descriptionForeground': '#616161', 'sideBar-background': '#f8f8f8', 'editor-background': '#ffffff',
      'widget-border': '#e5e5e5', 'panel-border': '#e5e5e5', 'editorWidget-background': '#ffffff', 'errorForeground': '#f85149',
      'editorWarning-foreground': '#bf8803', 'charts-green': '#388a34', 'charts-blue': '#1a85ff', 'charts-purple': '#652d90',
      'charts-orange': '#d18616', 'charts-yellow': '#bf8803', 'charts-red': '#e51400', 'input-background': '#ffffff',
      'input-border': '#cecece', 'input-foreground': '#3b3b3b', 'input-placeholderForeground': '#767676', 'focusBorder': '#005fb8',
      'list-hoverBackground': '#f2f2f2', 'textCodeBlock-background': '#f8f8f8', 'button-background': '#005fb8',
      'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
      'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'dropdown-background': '#ffffff', 'dropdown-border': '#cecece',
      'dropdown-foreground': '#3b3b3b', 'dropdown-listBackground': '#ffffff', 'icon-foreground': '#3b3b3b',
      'settings-textInputBackground': '#ffffff', 'settings-textInputBorder': '#cecece', 'settings-dropdownBackground': '#ffffff',
      'settings-dropdownBorder': '#cecece', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
      'list-focusOutline': '#005fb8', 'widget-shadow': 'rgba(0,0,0,0.16)', 'quickInput-background': '#f8f8f8',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast', kind: 'vscode-high-contrast',
    vars: {
      'foreground': '#ffffff', 'descriptionForeground': '#ffffff', 'sideBar-background': '#000000', 'editor-background': '#000000',
      'contrastBorder': '#6fc3df', 'contrastActiveBorder': '#f38518', 'widget-border': '#6fc3df', 'panel-border': '#6fc3df',
      'editorWidget-background': '#0c141f', 'errorForeground': '#f48771', 'editorWarning-foreground': '#ffd700',
      'charts-green': '#89d185', 'charts-blue': '#3794ff', 'charts-purple': '#b180d7', 'charts-orange': '#d18616',
      'charts-yellow': '#ffd700', 'charts-red': '#f48771', 'input-background': '#000000', 'input-border': '#6fc3df',
      'input-foreground': '#ffffff', 'input-placeholderForeground': '#ffffffb3', 'focusBorder': '#f38518', 'list-hoverBackground': '#000000',
      'textCodeBlock-background': '#000000', 'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'badge-background': '#000000',
      'badge-foreground': '#ffffff', 'dropdown-background': '#000000', 'dropdown-border': '#6fc3df', 'dropdown-foreground': '#ffffff',
      'dropdown-listBackground': '#000000', 'icon-foreground': '#ffffff', 'settings-textInputBackground': '#000000',
      'settings-textInputBorder': '#6fc3df', 'settings-dropdownBackground': '#000000', 'settings-dropdownBorder': '#6fc3df',
      'list-activeSelectionBackground': '#000000', 'list-focusOutline': '#f38518', 'quickInput-background': '#000000',
    },
  },
};
