// A WebStack from TypeScript (docs/typescript.md): network and six subnets, a database, app servers, web
// servers and a load balancer running HAProxy, on Custom Cloud servers configured over SSH. The component
// is the one Python programs import, served by the component package `provisioning`. Its config is the
// stack config object `cluster` (WebStack's inputs in camelCase: appName, appVersion, webTier.replicas, …).
//
// Set up (once):
//
//     provisioning package setup --venv venv --project .   # a venv with provisioning; Pulumi.yaml points at it
//     npm install
//     pulumi package add <the package folder it printed>    # generates and links @pulumi/provisioning
//
// Configure (the same keys as the Python example):
//
//     pulumi config set custom-cloud:apiUrl http://127.0.0.1:<port>/v1
//     pulumi config set --secret custom-cloud:apiKey <key>
//     ssh-keygen -t ed25519 -N '' -f ./id_ed25519
//     pulumi config set sshPublicKey "$(cat ./id_ed25519.pub)"
//     pulumi config set --secret sshPrivateKey < ./id_ed25519
//     pulumi config set --secret databasePassword <password>
//     pulumi config set --path cluster.appName shop
//     pulumi config set --path cluster.webTier.replicas 2
//     pulumi config set --path cluster.appTier.replicas 2
//     pulumi config set --path cluster.appTier.autoScaling.enabled false
//     pulumi up
//
// Optional: a CustomDatabase on a machine made elsewhere, from the config object `database`: its SSH
// endpoint (host, sshPort, hostKeyFingerprints: the `SHA256:…` host key fingerprints), the address clients
// use, and any CustomDatabase field (maxConnections, backup.schedule, …). The same SSH key reaches it.
import * as pulumi from "@pulumi/pulumi";
import * as provisioning from "@pulumi/provisioning";

/** The config fields of WebStack: every input but the keys and passwords. */
type Cluster = Omit<
    provisioning.WebStackArgs,
    "sshPublicKey" | "sshPrivateKey" | "databasePassword" | "replicationPassword"
>;

const config = new pulumi.Config();

const stack = new provisioning.WebStack("web-stack", {
    ...config.requireObject<Cluster>("cluster"),
    sshPublicKey: config.require("sshPublicKey"),
    sshPrivateKey: config.requireSecret("sshPrivateKey"),
    databasePassword: config.requireSecret("databasePassword"),
});

/** The inputs of CustomDatabase but the key and passwords. */
type Database = Omit<
    provisioning.CustomDatabaseArgs,
    "sshPrivateKey" | "passwords" | "replicationPassword" | "adminPassword"
>;

const database = config.getObject<Database>("database");
const db =
    database &&
    new provisioning.CustomDatabase("orders-db", {
        ...database,
        sshPrivateKey: config.requireSecret("sshPrivateKey"),
        passwords: { postgres: config.requireSecret("databasePassword") },
    });

export const endpoints = stack.endpoints;
export const components = stack.components;
export const status = stack.status;
export const healthy = stack.healthy;
export const estimatedHourlyCost = stack.estimatedHourlyCost;
export const providerHourlyCost = stack.providerHourlyCost;
export const databaseEndpoint = db?.endpoint;
export const databaseHealthy = db?.healthy;
