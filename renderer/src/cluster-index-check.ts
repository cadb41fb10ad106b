// @ts-nocheck
// Generated from renderer/src/cluster-index-schema.ts by npm run schema; do not edit.
// The check TypeBox compiles from the schema, and the schema as JSON (cluster-index.ts describes a failure with it).

export const clusterIndexSchema = {
  "additionalProperties": false,
  "type": "object",
  "required": [
    "generatedBy",
    "promotionChain",
    "clusters"
  ],
  "properties": {
    "generatedBy": {
      "type": "string"
    },
    "promotionChain": {
      "type": "array",
      "items": {
        "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
        "type": "string"
      }
    },
    "clusters": {
      "type": "array",
      "items": {
        "additionalProperties": false,
        "type": "object",
        "required": [
          "name",
          "environment",
          "role",
          "region",
          "apiServer",
          "namespace",
          "highAvailability",
          "pinnedVersions",
          "folders"
        ],
        "properties": {
          "name": {
            "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
            "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
            "type": "string"
          },
          "environment": {
            "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
            "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
            "type": "string"
          },
          "role": {
            "anyOf": [
              {
                "const": "primary",
                "type": "string"
              },
              {
                "const": "standby",
                "type": "string"
              }
            ]
          },
          "region": {
            "type": "string"
          },
          "apiServer": {
            "type": "string"
          },
          "namespace": {
            "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
            "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
            "type": "string"
          },
          "highAvailability": {
            "type": "boolean"
          },
          "pinnedVersions": {
            "type": "boolean"
          },
          "folders": {
            "type": "array",
            "items": {
              "additionalProperties": false,
              "type": "object",
              "required": [
                "path",
                "application",
                "kind"
              ],
              "properties": {
                "path": {
                  "minLength": 1,
                  "type": "string"
                },
                "application": {
                  "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
                  "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
                  "type": "string"
                },
                "kind": {
                  "anyOf": [
                    {
                      "const": "argocd",
                      "type": "string"
                    },
                    {
                      "const": "platform",
                      "type": "string"
                    },
                    {
                      "const": "app",
                      "type": "string"
                    }
                  ]
                },
                "app": {
                  "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
                  "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
                  "type": "string"
                }
              }
            }
          }
        }
      }
    }
  }
};

/** Whether a value follows the clusters/index.json schema. */
export const checkClusterIndex: (value: unknown) => boolean = (() => {
  const local_0 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const local_1 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const local_2 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const local_3 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const local_4 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const local_5 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  return function check(value) {
    return (
      (typeof value === 'object' && value !== null && !Array.isArray(value)) &&
      (typeof value['generatedBy'] === 'string') &&
      Array.isArray(value['promotionChain']) &&
      ((array) => { for(const value of array) if(!(((typeof value === 'string') && local_0.test(value)))) { return false }; return true; })(value['promotionChain']) &&
      Array.isArray(value['clusters']) &&
      ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['name'] === 'string') && local_1.test(value['name']) && (typeof value['environment'] === 'string') && local_2.test(value['environment']) && (((value['role'] === 'primary')) || ((value['role'] === 'standby'))) && (typeof value['region'] === 'string') && (typeof value['apiServer'] === 'string') && (typeof value['namespace'] === 'string') && local_3.test(value['namespace']) && (typeof value['highAvailability'] === 'boolean') && (typeof value['pinnedVersions'] === 'boolean') && Array.isArray(value['folders']) && ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['path'] === 'string') && value['path'].length >= 1 && (typeof value['application'] === 'string') && local_4.test(value['application']) && (((value['kind'] === 'argocd')) || ((value['kind'] === 'platform')) || ((value['kind'] === 'app'))) && (value['app'] !== undefined ? ((typeof value['app'] === 'string') && local_5.test(value['app'])) : true) && Object.getOwnPropertyNames(value).every(key => ['path', 'application', 'kind', 'app'].includes(key))))) { return false }; return true; })(value['folders']) && Object.getOwnPropertyNames(value).length === 9))) { return false }; return true; })(value['clusters']) &&
      Object.getOwnPropertyNames(value).length === 3
    )
  }
})();
