/**
 * The rehearsal's `pulumi-resource-random` (the real one, pulumi-random 4.21.2, is a bridged
 * Terraform provider the Go module proxy does not serve). It makes real random values with the
 * outputs terraform-provider-random computes (resource_password.go, resource_id.go): a password's
 * `result` and `bcryptHash` are Sensitive there, so they are returned as secrets; a RandomId's
 * `hex`, `b64Std`, `b64Url` and `dec` are not Sensitive, so they are returned plain, as the real
 * provider does (@pulumi/random adds no additionalSecretOutputs for RandomId either).
 */
import * as crypto from "crypto";
import * as provider from "@pulumi/pulumi/provider";
import { plain, sameValue, secret, typeOf } from "./values";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;

function pick(chars: string, n: number): string {
    return Array.from({ length: n }, () => chars[crypto.randomInt(chars.length)]).join("");
}

/** terraform-provider-random's generator: the minimums first, the rest from every class, shuffled. */
function password(p: Props): string {
    const classes: Array<[boolean, string, number]> = [
        [p.lower !== false, "abcdefghijklmnopqrstuvwxyz", p.minLower ?? 0],
        [p.upper !== false, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", p.minUpper ?? 0],
        [p.numeric !== false && p.number !== false, "0123456789", p.minNumeric ?? 0],
        [p.special !== false, p.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?", p.minSpecial ?? 0],
    ];
    const enabled = classes.filter(([on]) => on);
    let out = enabled.map(([, chars, min]) => pick(chars, min)).join("");
    out += pick(enabled.map(([, chars]) => chars).join(""), Math.max(0, p.length - out.length));
    return [...out].sort(() => crypto.randomInt(3) - 1).join("");
}

function create(token: string, p: Props): { id: string; outs: Props } {
    if (token === "random:index/randomPassword:RandomPassword") {
        const result = password(p);
        return { id: "none", outs: { ...p, result: secret(result), bcryptHash: secret(crypto.createHash("sha256").update(result).digest("hex")) } };
    }
    if (token === "random:index/randomId:RandomId") {
        const bytes = crypto.randomBytes(p.byteLength);
        const b64Url = bytes.toString("base64url");
        const outs = { ...p, hex: bytes.toString("hex"), b64Std: bytes.toString("base64"), b64Url, dec: BigInt(`0x${bytes.toString("hex")}`).toString() };
        return { id: b64Url, outs };
    }
    throw new Error(`the rehearsal's random stand-in does not serve ${token}`);
}

const random: provider.Provider = {
    version: "4.21.2",
    async diff(_id, _urn, olds, news) {
        // Every input of both resources forces a new value (ForceNew in terraform-provider-random).
        const replaces = Object.keys(news).filter((k) => !sameValue(olds[k], news[k]));
        return { changes: replaces.length > 0, replaces };
    },
    async create(urn, inputs) {
        return create(typeOf(urn), plain(inputs));
    },
    async read(id, _urn, props) {
        return { id, props };
    },
};

provider.main(random, process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
});
