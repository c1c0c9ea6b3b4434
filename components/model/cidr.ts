/**
 * CIDR maths for the network plan, on top of ipaddr.js. Pure functions: config validation, the
 * network component and the policy pack call them, and tests call them directly.
 */
import * as ipaddr from "ipaddr.js";

/** A parsed IPv4 CIDR block. */
export interface Ipv4Block {
    readonly cidr: string;
    readonly network: ipaddr.IPv4;
    readonly prefixLength: number;
}

/**
 * Parses an IPv4 CIDR and checks it is written with its network address (10.0.0.0/20, not
 * 10.0.1.0/20): GCP rejects the latter, and it usually means a typo.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Block {
    if (!ipaddr.IPv4.isValidCIDR(cidr)) {
        throw new Error(`"${cidr}" is not an IPv4 CIDR block such as 10.10.0.0/20`);
    }
    const [network, prefixLength] = ipaddr.IPv4.parseCIDR(cidr);
    const canonical = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
    if (canonical !== network.toString()) {
        throw new Error(`"${cidr}" has host bits set; its network address is ${canonical}/${prefixLength}`);
    }
    return { cidr, network, prefixLength };
}

/**
 * The block written with its network address (10.10.1.0/20 -> 10.10.0.0/20), or undefined when
 * the text is not an IPv4 CIDR. For checking values GCP normalizes itself (firewall ranges).
 */
export function normalizeCidr(cidr: string): string | undefined {
    if (!ipaddr.IPv4.isValidCIDR(cidr)) {
        return undefined;
    }
    return `${ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()}/${ipaddr.IPv4.parseCIDR(cidr)[1]}`;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const left = parseIpv4Cidr(a);
    const right = parseIpv4Cidr(b);
    return left.network.match(right.network, right.prefixLength) || right.network.match(left.network, left.prefixLength);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseIpv4Cidr(outer);
    const i = parseIpv4Cidr(inner);
    return i.prefixLength >= o.prefixLength && i.network.match(o.network, o.prefixLength);
}

/**
 * The block's network prefix as bits (`10.0.0.0/9` -> `000010100`). A block contains another
 * exactly when the other's bits start with its bits: plain string data the replacement guard
 * can compare inside Pulumi's dynamic-provider host, where this module is not loaded.
 */
export function prefixBits(cidr: string): string {
    const block = parseIpv4Cidr(cidr);
    return block.network
        .toByteArray()
        .map((b) => b.toString(2).padStart(8, "0"))
        .join("")
        .slice(0, block.prefixLength);
}

/** True for RFC 1918 private space (10/8, 172.16/12, 192.168/16). */
export function isPrivateCidr(cidr: string): boolean {
    const block = parseIpv4Cidr(cidr);
    return block.network.range() === "private" && ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].some((p) => cidrContains(p, cidr));
}

/** Every pair of named blocks that overlap, as [nameA, nameB]. */
export function findOverlaps(blocks: Record<string, string>): Array<[string, string]> {
    const names = Object.keys(blocks);
    const overlaps: Array<[string, string]> = [];
    for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) {
            if (cidrsOverlap(blocks[names[i]], blocks[names[j]])) {
                overlaps.push([names[i], names[j]]);
            }
        }
    }
    return overlaps;
}

/** True when the one block is the whole IPv4 internet (`0.0.0.0/0`, host bits normalized as GCP does). */
export function isWholeInternet(cidr: string): boolean {
    return coversWholeInternet([cidr]);
}

/** First and last address of a block, as unsigned 32-bit numbers. */
function addressRange(cidr: string): [number, number] {
    const normalized = normalizeCidr(cidr);
    if (normalized === undefined) {
        throw new Error(`"${cidr}" is not an IPv4 CIDR block`);
    }
    const [network, prefixLength] = ipaddr.IPv4.parseCIDR(normalized);
    const first = network.toByteArray().reduce((n, byte) => n * 256 + byte, 0);
    return [first, first + 2 ** (32 - prefixLength) - 1];
}

/**
 * True when the blocks together cover every IPv4 address: `0.0.0.0/0`, but also `0.0.0.0/1` +
 * `128.0.0.0/1` or any other split that an exact-match check on `0.0.0.0/0` misses. Text that
 * is no IPv4 CIDR is ignored; host bits are normalized away, as GCP does.
 */
export function coversWholeInternet(cidrs: readonly string[]): boolean {
    const ranges = cidrs
        .filter((c) => normalizeCidr(c) !== undefined)
        .map(addressRange)
        .sort((a, b) => a[0] - b[0]);
    let next = 0; // first address not yet covered
    for (const [first, last] of ranges) {
        if (first > next) {
            return false;
        }
        next = Math.max(next, last + 1);
    }
    return next > 0xffffffff;
}
