/**
 * The schema of clusters/index.json (TypeBox, like the inputs in model.ts): the one definition of the contract
 * between the renderer and the commands that read its output. cluster-index.ts builds and reads the index;
 * `npm run schema` compiles this schema into cluster-index-check.ts, so that reading the index never loads TypeBox
 * (importing it costs about a tenth of a second, more than a whole unchanged render).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DnsLabel } from './model.js';

const IndexFolder = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    application: DnsLabel,
    kind: Type.Union([Type.Literal('argocd'), Type.Literal('platform'), Type.Literal('post-deploy'), Type.Literal('app')]),
    app: Type.Optional(DnsLabel),
  },
  { additionalProperties: false },
);
export type IndexFolder = Static<typeof IndexFolder>;

const Usage = Type.Object({ requested: Type.Integer(), allocatable: Type.Integer(), headroom: Type.Integer() }, { additionalProperties: false });

const IndexCluster = Type.Object(
  {
    name: DnsLabel,
    environment: DnsLabel,
    role: Type.Union([Type.Literal('primary'), Type.Literal('standby')]),
    region: Type.String(),
    apiServer: Type.String(),
    namespace: DnsLabel,
    /** The environment's policies, as the cluster must follow them. */
    highAvailability: Type.Boolean(),
    pinnedVersions: Type.Boolean(),
    folders: Type.Array(IndexFolder),
    /** What npm run bootstrap checks (or prints, where only AWS can answer) before it points Argo CD at the cluster. */
    preconditions: Type.Optional(
      Type.Object(
        {
          networkPolicyEnforcement: Type.Union([Type.Literal('vpc-cni'), Type.Literal('none')]),
          imageReplication: Type.Optional(Type.Object({ from: Type.String(), to: Type.String(), mechanism: Type.Literal('ecr-replication') }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Each node group's requests at the apps' maximum replicas against its maximum nodes (render/capacity.ts). */
    capacity: Type.Optional(
      Type.Array(
        Type.Object(
          {
            nodeGroup: DnsLabel,
            instanceType: Type.String(),
            maxNodes: Type.Integer(),
            zones: Type.Integer(),
            cpuMillicores: Usage,
            memoryMiB: Usage,
            schedulableAtMaximum: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type IndexCluster = Static<typeof IndexCluster>;

export const ClusterIndex = Type.Object(
  {
    generatedBy: Type.String(),
    /** The environments versions move through, in order; environments outside it (local) are not listed. */
    promotionChain: Type.Array(DnsLabel),
    clusters: Type.Array(IndexCluster),
  },
  { additionalProperties: false },
);
export type ClusterIndex = Static<typeof ClusterIndex>;
