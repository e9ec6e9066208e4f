// A WebStack (docs/clusters.md) from TypeScript: network and six subnets, a database with a streaming
// replica, app servers, web servers and a load balancer running HAProxy, and Prometheus, configured over SSH.
//
// Once, in this folder (docs/typescript.md):
//
//     provisioning package setup --venv venv --project .   # the venv Pulumi.yaml points at
//     pulumi package add <the package folder it printed>    # generates and links @pulumi/provisioning
//
// Config: custom-cloud:apiUrl, custom-cloud:apiKey (secret), sshPublicKey, sshPrivateKey (secret),
// databasePassword (secret), appName (default shop), optional `cluster` (WebStack's inputs in camelCase,
// e.g. `pulumi config set --path cluster.appTier.replicas 3`).
import * as pulumi from "@pulumi/pulumi";
import * as provisioning from "@pulumi/provisioning";

/** The config fields of WebStack: every input but the keys and passwords. */
type Cluster = Omit<
    provisioning.WebStackArgs,
    "sshPublicKey" | "sshPrivateKey" | "databasePassword" | "replicationPassword"
>;

const config = new pulumi.Config();

const stack = new provisioning.WebStack("web-stack", {
    appName: config.get("appName") ?? "shop",
    ...config.getObject<Partial<Cluster>>("cluster"),
    sshPublicKey: config.require("sshPublicKey"),
    sshPrivateKey: config.requireSecret("sshPrivateKey"),
    databasePassword: config.requireSecret("databasePassword"),
});

export const endpoints = stack.endpoints;
export const components = stack.components;
export const healthy = stack.healthy;
export const estimatedHourlyCost = stack.estimatedHourlyCost;
