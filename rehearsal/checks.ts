/**
 * The rehearsal's checks: each a name and a promise, printed as it finishes, counted at the end
 * in one "N passed, M failed" line.
 */

export interface CheckResult {
    readonly name: string;
    readonly ok: boolean;
    readonly detail: string;
    readonly seconds: number;
}

export class Checks {
    readonly results: CheckResult[] = [];

    /** Runs `fn`; a throw is a failure. Returns whether it passed. `fn` may return a detail line. */
    async run(name: string, fn: () => Promise<string | void>): Promise<boolean> {
        const started = Date.now();
        let ok = true;
        let detail = "";
        try {
            detail = (await fn()) ?? "";
        } catch (err) {
            ok = false;
            detail = err instanceof Error ? err.message : String(err);
        }
        const seconds = (Date.now() - started) / 1000;
        this.results.push({ name, ok, detail, seconds });
        const head = `${ok ? "ok  " : "FAIL"} ${name} (${seconds.toFixed(1)} s)`;
        console.log(detail ? `${head}\n${indent(detail)}` : head);
        return ok;
    }

    /** A check that could not run because an earlier step failed: counted as failed, with the reason. */
    skipped(name: string, reason: string): void {
        this.results.push({ name, ok: false, detail: `not run: ${reason}`, seconds: 0 });
        console.log(`FAIL ${name}: not run: ${reason}`);
    }

    /** Checks this machine cannot run (a missing privilege, not a defect): neither passed nor failed. */
    readonly unavailable: Array<{ name: string; reason: string }> = [];

    notAvailable(name: string, reason: string): void {
        this.unavailable.push({ name, reason });
        console.log(`skip ${name}: ${reason}`);
    }

    summary(): string {
        const passed = this.results.filter((r) => r.ok).length;
        const skipped = this.unavailable.length > 0 ? `, ${this.unavailable.length} not available here` : "";
        return `${passed} passed, ${this.results.length - passed} failed${skipped}`;
    }
}

function indent(text: string): string {
    return text
        .split("\n")
        .map((l) => `     ${l}`)
        .join("\n");
}

/** Throws `message` unless `condition`. */
export function expect(condition: unknown, message: string): asserts condition {
    if (!condition) {
        throw new Error(message);
    }
}
