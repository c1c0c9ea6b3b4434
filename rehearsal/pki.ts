/**
 * Certificates and keys of the local control plane, made with openssl for one run: a CA, the API
 * server's serving certificate (loopback names only), the service-account signing key pair, and
 * bearer tokens for the admin and the deployer.
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface Pki {
    readonly dir: string;
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly saKey: string;
    readonly saPub: string;
    /** Static token file (`--token-auth-file`). */
    readonly tokenFile: string;
    /** In `system:masters`: the control plane's own components and the rehearsal's checks. */
    readonly adminToken: string;
    /**
     * The person running `pulumi up`: on GKE an IAM principal with `roles/container.admin`, which
     * GKE's authorizer lets do anything; here a member of `system:masters` under its own name.
     */
    readonly deployerToken: string;
    /** A stack member (access.members): no group beyond system:authenticated, so only our RoleBinding grants it anything. */
    readonly memberToken: string;
}

function openssl(dir: string, args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Names the serving certificate answers to: loopback, the in-cluster Service name and IP. */
const SERVER_NAMES = "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1";

export function makePki(dir: string, serviceIp: string): Pki {
    fs.mkdirSync(dir, { recursive: true });
    const p = (f: string) => path.join(dir, f);
    openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=metaflow-rehearsal-ca"]);
    fs.writeFileSync(p("server.ext"), `subjectAltName=${SERVER_NAMES},IP:${serviceIp}\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver"]);
    openssl(dir, ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"]);
    openssl(dir, ["genrsa", "-out", "sa.key", "2048"]);
    openssl(dir, ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
    const adminToken = randomBytes(24).toString("hex");
    const deployerToken = randomBytes(24).toString("hex");
    const memberToken = randomBytes(24).toString("hex");
    // token,user,uid,"groups" (kube-apiserver --token-auth-file format)
    fs.writeFileSync(p("tokens.csv"), `${adminToken},rehearsal-admin,1,"system:masters"\n${deployerToken},deployer@rehearsal.example,2,"system:masters"\n${memberToken},member@rehearsal.example,3\n`, { mode: 0o600 });
    return {
        dir,
        caCert: p("ca.crt"),
        caKey: p("ca.key"),
        serverCert: p("server.crt"),
        serverKey: p("server.key"),
        saKey: p("sa.key"),
        saPub: p("sa.pub"),
        tokenFile: p("tokens.csv"),
        adminToken,
        deployerToken,
        memberToken,
    };
}

/** A serving certificate for `names` (DNS names) signed by the run's CA: `[cert, key]` file paths. */
export function servingCert(pki: Pki, base: string, names: string[]): [string, string] {
    fs.writeFileSync(path.join(pki.dir, `${base}.ext`), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\n`);
    openssl(pki.dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${names[0]}`]);
    openssl(pki.dir, ["x509", "-req", "-in", `${base}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${base}.crt`, "-days", "2", "-extfile", `${base}.ext`]);
    return [path.join(pki.dir, `${base}.crt`), path.join(pki.dir, `${base}.key`)];
}

/** A kubeconfig for the control plane's own components (token auth, the local CA). */
export function componentKubeconfig(server: string, caCert: string, token: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "local", cluster: { server, "certificate-authority": caCert } }],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
        "current-context": "local",
    });
}
