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
                      "const": "post-deploy",
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
          },
          "preconditions": {
            "additionalProperties": false,
            "type": "object",
            "required": [
              "networkPolicyEnforcement"
            ],
            "properties": {
              "networkPolicyEnforcement": {
                "anyOf": [
                  {
                    "const": "vpc-cni",
                    "type": "string"
                  },
                  {
                    "const": "none",
                    "type": "string"
                  }
                ]
              },
              "imageReplication": {
                "additionalProperties": false,
                "type": "object",
                "required": [
                  "from",
                  "to",
                  "mechanism"
                ],
                "properties": {
                  "from": {
                    "type": "string"
                  },
                  "to": {
                    "type": "string"
                  },
                  "mechanism": {
                    "const": "ecr-replication",
                    "type": "string"
                  }
                }
              }
            }
          },
          "capacity": {
            "type": "array",
            "items": {
              "additionalProperties": false,
              "type": "object",
              "required": [
                "nodeGroup",
                "instanceType",
                "maxNodes",
                "zones",
                "cpuMillicores",
                "memoryMiB",
                "schedulableAtMaximum"
              ],
              "properties": {
                "nodeGroup": {
                  "pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
                  "description": "A DNS-1123 label: lower-case letters, digits and \"-\", at most 63 characters.",
                  "type": "string"
                },
                "instanceType": {
                  "type": "string"
                },
                "maxNodes": {
                  "type": "integer"
                },
                "zones": {
                  "type": "integer"
                },
                "cpuMillicores": {
                  "additionalProperties": false,
                  "type": "object",
                  "required": [
                    "requested",
                    "allocatable",
                    "headroom"
                  ],
                  "properties": {
                    "requested": {
                      "type": "integer"
                    },
                    "allocatable": {
                      "type": "integer"
                    },
                    "headroom": {
                      "type": "integer"
                    }
                  }
                },
                "memoryMiB": {
                  "additionalProperties": false,
                  "type": "object",
                  "required": [
                    "requested",
                    "allocatable",
                    "headroom"
                  ],
                  "properties": {
                    "requested": {
                      "type": "integer"
                    },
                    "allocatable": {
                      "type": "integer"
                    },
                    "headroom": {
                      "type": "integer"
                    }
                  }
                },
                "schedulableAtMaximum": {
                  "type": "boolean"
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
  const local_6 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  return function check(value) {
    return (
      (typeof value === 'object' && value !== null && !Array.isArray(value)) &&
      (typeof value['generatedBy'] === 'string') &&
      Array.isArray(value['promotionChain']) &&
      ((array) => { for(const value of array) if(!(((typeof value === 'string') && local_0.test(value)))) { return false }; return true; })(value['promotionChain']) &&
      Array.isArray(value['clusters']) &&
      ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['name'] === 'string') && local_1.test(value['name']) && (typeof value['environment'] === 'string') && local_2.test(value['environment']) && (((value['role'] === 'primary')) || ((value['role'] === 'standby'))) && (typeof value['region'] === 'string') && (typeof value['apiServer'] === 'string') && (typeof value['namespace'] === 'string') && local_3.test(value['namespace']) && (typeof value['highAvailability'] === 'boolean') && (typeof value['pinnedVersions'] === 'boolean') && Array.isArray(value['folders']) && ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['path'] === 'string') && value['path'].length >= 1 && (typeof value['application'] === 'string') && local_4.test(value['application']) && (((value['kind'] === 'argocd')) || ((value['kind'] === 'platform')) || ((value['kind'] === 'post-deploy')) || ((value['kind'] === 'app'))) && (value['app'] !== undefined ? ((typeof value['app'] === 'string') && local_5.test(value['app'])) : true) && Object.getOwnPropertyNames(value).every(key => ['path', 'application', 'kind', 'app'].includes(key))))) { return false }; return true; })(value['folders']) && (value['preconditions'] !== undefined ? ((typeof value['preconditions'] === 'object' && value['preconditions'] !== null && !Array.isArray(value['preconditions'])) && (((value['preconditions']['networkPolicyEnforcement'] === 'vpc-cni')) || ((value['preconditions']['networkPolicyEnforcement'] === 'none'))) && (value['preconditions']['imageReplication'] !== undefined ? ((typeof value['preconditions']['imageReplication'] === 'object' && value['preconditions']['imageReplication'] !== null && !Array.isArray(value['preconditions']['imageReplication'])) && (typeof value['preconditions']['imageReplication']['from'] === 'string') && (typeof value['preconditions']['imageReplication']['to'] === 'string') && (value['preconditions']['imageReplication']['mechanism'] === 'ecr-replication') && Object.getOwnPropertyNames(value['preconditions']['imageReplication']).length === 3) : true) && Object.getOwnPropertyNames(value['preconditions']).every(key => ['networkPolicyEnforcement', 'imageReplication'].includes(key))) : true) && (value['capacity'] !== undefined ? (Array.isArray(value['capacity']) && ((array) => { for(const value of array) if(!(((typeof value === 'object' && value !== null && !Array.isArray(value)) && (typeof value['nodeGroup'] === 'string') && local_6.test(value['nodeGroup']) && (typeof value['instanceType'] === 'string') && Number.isInteger(value['maxNodes']) && Number.isInteger(value['zones']) && (typeof value['cpuMillicores'] === 'object' && value['cpuMillicores'] !== null && !Array.isArray(value['cpuMillicores'])) && Number.isInteger(value['cpuMillicores']['requested']) && Number.isInteger(value['cpuMillicores']['allocatable']) && Number.isInteger(value['cpuMillicores']['headroom']) && Object.getOwnPropertyNames(value['cpuMillicores']).length === 3 && (typeof value['memoryMiB'] === 'object' && value['memoryMiB'] !== null && !Array.isArray(value['memoryMiB'])) && Number.isInteger(value['memoryMiB']['requested']) && Number.isInteger(value['memoryMiB']['allocatable']) && Number.isInteger(value['memoryMiB']['headroom']) && Object.getOwnPropertyNames(value['memoryMiB']).length === 3 && (typeof value['schedulableAtMaximum'] === 'boolean') && Object.getOwnPropertyNames(value).length === 7))) { return false }; return true; })(value['capacity'])) : true) && Object.getOwnPropertyNames(value).every(key => ['name', 'environment', 'role', 'region', 'apiServer', 'namespace', 'highAvailability', 'pinnedVersions', 'folders', 'preconditions', 'capacity'].includes(key))))) { return false }; return true; })(value['clusters']) &&
      Object.getOwnPropertyNames(value).length === 3
    )
  }
})();
