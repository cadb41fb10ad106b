// @ts-nocheck
// Generated from renderer/src/pin-files-schema.ts by npm run schema; do not edit.
// The checks TypeBox compiles from the schemas, and the schemas as JSON (schema-problems.ts describes a failure with them).

export const pinsSchema = {
  "additionalProperties": false,
  "type": "object",
  "required": [
    "kubernetes",
    "tools",
    "sources"
  ],
  "properties": {
    "$comment": {
      "type": "string"
    },
    "kubernetes": {
      "pattern": "^\\d+\\.\\d+\\.\\d+$",
      "description": "write the Kubernetes version the clusters run without a leading v, e.g. \"1.36.3\"",
      "type": "string"
    },
    "tools": {
      "additionalProperties": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "module",
          "version"
        ],
        "properties": {
          "module": {
            "minLength": 1,
            "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
            "type": "string"
          },
          "version": {
            "pattern": "^v\\d",
            "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
            "type": "string"
          }
        }
      },
      "type": "object",
      "required": [
        "kubeconform",
        "actionlint",
        "helm",
        "gitleaks"
      ],
      "properties": {
        "kubeconform": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "actionlint": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "helm": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "gitleaks": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        }
      }
    },
    "pypiTools": {
      "type": "object",
      "patternProperties": {
        "^(.*)$": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "package",
            "version"
          ],
          "properties": {
            "package": {
              "minLength": 1,
              "description": "the name on PyPI, e.g. \"zizmor\"",
              "type": "string"
            },
            "version": {
              "pattern": "^\\d+(\\.\\d+)*$",
              "description": "write an exact version, e.g. \"1.32.0\" (no range: pip would take the newest)",
              "type": "string"
            }
          }
        }
      }
    },
    "sources": {
      "additionalProperties": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "module",
          "version"
        ],
        "properties": {
          "module": {
            "minLength": 1,
            "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
            "type": "string"
          },
          "version": {
            "pattern": "^v\\d",
            "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
            "type": "string"
          }
        }
      },
      "type": "object",
      "required": [
        "kubernetes",
        "argocd",
        "externalSecrets",
        "certManager"
      ],
      "properties": {
        "kubernetes": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "argocd": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "externalSecrets": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        },
        "certManager": {
          "additionalProperties": false,
          "type": "object",
          "required": [
            "module",
            "version"
          ],
          "properties": {
            "module": {
              "minLength": 1,
              "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
              "type": "string"
            },
            "version": {
              "pattern": "^v\\d",
              "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
              "type": "string"
            }
          }
        }
      }
    },
    "e2e": {
      "additionalProperties": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "module",
          "version"
        ],
        "properties": {
          "module": {
            "minLength": 1,
            "description": "the Go module path, e.g. \"github.com/yannh/kubeconform/cmd/kubeconform\"",
            "type": "string"
          },
          "version": {
            "pattern": "^v\\d",
            "description": "write a Go module version: \"v\" and the release, e.g. \"v0.7.0\"",
            "type": "string"
          }
        }
      },
      "type": "object",
      "properties": {
        "$comment": {
          "type": "string"
        }
      }
    }
  }
};

/** Whether a value follows the renderer/pins.json schema. */
export const checkPins: (value: unknown) => boolean = (() => {
  const local_0 = /^\d+\.\d+\.\d+$/;
  const local_1 = /^v\d/;
  const local_2 = /^v\d/;
  const local_3 = /^v\d/;
  const local_4 = /^v\d/;
  const local_5 = /^v\d/;
  const local_6 = /^(.*)$/
  const local_7 = /^\d+(\.\d+)*$/;
  const local_8 = /^v\d/;
  const local_9 = /^v\d/;
  const local_10 = /^v\d/;
  const local_11 = /^v\d/;
  const local_12 = /^v\d/;
  const local_13 = /^v\d/;
  return function check(value) {
    return (
      (typeof value === 'object' && value !== null && !Array.isArray(value)) &&
      (value['$comment'] !== undefined ? ((typeof value['$comment'] === 'string')) : true) &&
      (typeof value['kubernetes'] === 'string') &&
      local_0.test(value['kubernetes']) &&
      (typeof value['tools'] === 'object' && value['tools'] !== null && !Array.isArray(value['tools'])) &&
      (typeof value['tools']['kubeconform'] === 'object' && value['tools']['kubeconform'] !== null && !Array.isArray(value['tools']['kubeconform'])) &&
      (typeof value['tools']['kubeconform']['module'] === 'string') &&
      value['tools']['kubeconform']['module'].length >= 1 &&
      (typeof value['tools']['kubeconform']['version'] === 'string') &&
      local_1.test(value['tools']['kubeconform']['version']) &&
      Object.getOwnPropertyNames(value['tools']['kubeconform']).length === 2 &&
      (typeof value['tools']['actionlint'] === 'object' && value['tools']['actionlint'] !== null && !Array.isArray(value['tools']['actionlint'])) &&
      (typeof value['tools']['actionlint']['module'] === 'string') &&
      value['tools']['actionlint']['module'].length >= 1 &&
      (typeof value['tools']['actionlint']['version'] === 'string') &&
      local_2.test(value['tools']['actionlint']['version']) &&
      Object.getOwnPropertyNames(value['tools']['actionlint']).length === 2 &&
      (typeof value['tools']['helm'] === 'object' && value['tools']['helm'] !== null && !Array.isArray(value['tools']['helm'])) &&
      (typeof value['tools']['helm']['module'] === 'string') &&
      value['tools']['helm']['module'].length >= 1 &&
      (typeof value['tools']['helm']['version'] === 'string') &&
      local_3.test(value['tools']['helm']['version']) &&
      Object.getOwnPropertyNames(value['tools']['helm']).length === 2 &&
      (typeof value['tools']['gitleaks'] === 'object' && value['tools']['gitleaks'] !== null && !Array.isArray(value['tools']['gitleaks'])) &&
      (typeof value['tools']['gitleaks']['module'] === 'string') &&
      value['tools']['gitleaks']['module'].length >= 1 &&
      (typeof value['tools']['gitleaks']['version'] === 'string') &&
      local_4.test(value['tools']['gitleaks']['version']) &&
      Object.getOwnPropertyNames(value['tools']['gitleaks']).length === 2 &&
      (Object.getOwnPropertyNames(value['tools']).every(key => ['kubeconform', 'actionlint', 'helm', 'gitleaks'].includes(key) || ((typeof value['tools'][key] === 'object' && value['tools'][key] !== null && !Array.isArray(value['tools'][key])) && (typeof value['tools'][key]['module'] === 'string') && value['tools'][key]['module'].length >= 1 && (typeof value['tools'][key]['version'] === 'string') && local_5.test(value['tools'][key]['version']) && Object.getOwnPropertyNames(value['tools'][key]).length === 2))) &&
      (value['pypiTools'] !== undefined ? ((typeof value['pypiTools'] === 'object' && value['pypiTools'] !== null && !Array.isArray(value['pypiTools']) && !(value['pypiTools'] instanceof Date) && !(value['pypiTools'] instanceof Uint8Array)) && (Object.entries(value['pypiTools']).every(([key, value]) => (local_6.test(key) ? ((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['package'] === 'string') && value['package'].length >= 1 && (typeof value['version'] === 'string') && local_7.test(value['version']) && Object.getOwnPropertyNames(value).length === 2) : true)))) : true) &&
      (typeof value['sources'] === 'object' && value['sources'] !== null && !Array.isArray(value['sources'])) &&
      (typeof value['sources']['kubernetes'] === 'object' && value['sources']['kubernetes'] !== null && !Array.isArray(value['sources']['kubernetes'])) &&
      (typeof value['sources']['kubernetes']['module'] === 'string') &&
      value['sources']['kubernetes']['module'].length >= 1 &&
      (typeof value['sources']['kubernetes']['version'] === 'string') &&
      local_8.test(value['sources']['kubernetes']['version']) &&
      Object.getOwnPropertyNames(value['sources']['kubernetes']).length === 2 &&
      (typeof value['sources']['argocd'] === 'object' && value['sources']['argocd'] !== null && !Array.isArray(value['sources']['argocd'])) &&
      (typeof value['sources']['argocd']['module'] === 'string') &&
      value['sources']['argocd']['module'].length >= 1 &&
      (typeof value['sources']['argocd']['version'] === 'string') &&
      local_9.test(value['sources']['argocd']['version']) &&
      Object.getOwnPropertyNames(value['sources']['argocd']).length === 2 &&
      (typeof value['sources']['externalSecrets'] === 'object' && value['sources']['externalSecrets'] !== null && !Array.isArray(value['sources']['externalSecrets'])) &&
      (typeof value['sources']['externalSecrets']['module'] === 'string') &&
      value['sources']['externalSecrets']['module'].length >= 1 &&
      (typeof value['sources']['externalSecrets']['version'] === 'string') &&
      local_10.test(value['sources']['externalSecrets']['version']) &&
      Object.getOwnPropertyNames(value['sources']['externalSecrets']).length === 2 &&
      (typeof value['sources']['certManager'] === 'object' && value['sources']['certManager'] !== null && !Array.isArray(value['sources']['certManager'])) &&
      (typeof value['sources']['certManager']['module'] === 'string') &&
      value['sources']['certManager']['module'].length >= 1 &&
      (typeof value['sources']['certManager']['version'] === 'string') &&
      local_11.test(value['sources']['certManager']['version']) &&
      Object.getOwnPropertyNames(value['sources']['certManager']).length === 2 &&
      (Object.getOwnPropertyNames(value['sources']).every(key => ['kubernetes', 'argocd', 'externalSecrets', 'certManager'].includes(key) || ((typeof value['sources'][key] === 'object' && value['sources'][key] !== null && !Array.isArray(value['sources'][key])) && (typeof value['sources'][key]['module'] === 'string') && value['sources'][key]['module'].length >= 1 && (typeof value['sources'][key]['version'] === 'string') && local_12.test(value['sources'][key]['version']) && Object.getOwnPropertyNames(value['sources'][key]).length === 2))) &&
      (value['e2e'] !== undefined ? ((typeof value['e2e'] === 'object' && value['e2e'] !== null && !Array.isArray(value['e2e'])) && (value['e2e']['$comment'] !== undefined ? ((typeof value['e2e']['$comment'] === 'string')) : true) && (Object.getOwnPropertyNames(value['e2e']).every(key => ['$comment'].includes(key) || ((typeof value['e2e'][key] === 'object' && value['e2e'][key] !== null && !Array.isArray(value['e2e'][key])) && (typeof value['e2e'][key]['module'] === 'string') && value['e2e'][key]['module'].length >= 1 && (typeof value['e2e'][key]['version'] === 'string') && local_13.test(value['e2e'][key]['version']) && Object.getOwnPropertyNames(value['e2e'][key]).length === 2)))) : true) &&
      Object.getOwnPropertyNames(value).every(key => ['$comment', 'kubernetes', 'tools', 'pypiTools', 'sources', 'e2e'].includes(key))
    )
  }
})();

export const chartsLockSchema = {
  "additionalProperties": false,
  "type": "object",
  "required": [
    "charts"
  ],
  "properties": {
    "$comment": {
      "type": "string"
    },
    "charts": {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "name",
          "version",
          "repoURL",
          "digest"
        ],
        "properties": {
          "name": {
            "minLength": 1,
            "type": "string"
          },
          "version": {
            "minLength": 1,
            "type": "string"
          },
          "repoURL": {
            "minLength": 1,
            "type": "string"
          },
          "digest": {
            "pattern": "^sha256:[0-9a-f]{64}$",
            "description": "a digest is \"sha256:\" and 64 lowercase hex digits; record it with npm run validate -- --update-lock",
            "type": "string"
          }
        }
      }
    }
  }
};

/** Whether a value follows the base/charts.lock.json schema. */
export const checkChartsLock: (value: unknown) => boolean = (() => {
  const local_0 = /^sha256:[0-9a-f]{64}$/;
  return function check(value) {
    return (
      (typeof value === 'object' && value !== null && !Array.isArray(value)) &&
      (value['$comment'] !== undefined ? ((typeof value['$comment'] === 'string')) : true) &&
      Array.isArray(value['charts']) &&
      ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['name'] === 'string') && value['name'].length >= 1 && (typeof value['version'] === 'string') && value['version'].length >= 1 && (typeof value['repoURL'] === 'string') && value['repoURL'].length >= 1 && (typeof value['digest'] === 'string') && local_0.test(value['digest']) && Object.getOwnPropertyNames(value).length === 4))) { return false }; return true; })(value['charts']) &&
      Object.getOwnPropertyNames(value).every(key => ['$comment', 'charts'].includes(key))
    )
  }
})();
