/**
 * The library's face (components/index.ts) is chosen, not everything: what a program needs to
 * build every exported component and call every exported helper must be exported with it, and
 * nothing is exported twice under one name. Read with the TypeScript compiler's own checker, the
 * way a consumer's compiler sees the package.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../offline/render";

const ENTRY = path.join(REPO_ROOT, "components", "index.ts");
const OURS = path.join(REPO_ROOT, "components") + path.sep;

interface Face {
    readonly checker: ts.TypeChecker;
    /** Exported name -> the declaration's symbol (aliases resolved). */
    readonly exported: Map<string, ts.Symbol>;
}

function readFace(): Face {
    const configFile = ts.readConfigFile(path.join(REPO_ROOT, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
    const program = ts.createProgram([ENTRY], { ...options, noEmit: true, incremental: false });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!;
    const exported = new Map<string, ts.Symbol>();
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
        exported.set(symbol.name, symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    }
    return { checker, exported };
}

const declaredInOurCode = (symbol: ts.Symbol | undefined): symbol is ts.Symbol => (symbol?.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(OURS));

/** Named types of our own that a value of `type` is written with, all the way down. */
function namedTypesIn(checker: ts.TypeChecker, type: ts.Type, seen = new Set<ts.Type>()): Set<ts.Symbol> {
    const found = new Set<ts.Symbol>();
    const visit = (t: ts.Type): void => {
        if (seen.has(t)) {
            return;
        }
        seen.add(t);
        const named = t.aliasSymbol ?? t.getSymbol();
        if (declaredInOurCode(named) && !(named.flags & ts.SymbolFlags.TypeLiteral)) {
            found.add(named);
        }
        t.aliasTypeArguments?.forEach(visit);
        if (t.isUnionOrIntersection()) {
            t.types.forEach(visit);
        }
        if (checker.isArrayType(t) || checker.isTupleType(t)) {
            checker.getTypeArguments(t as ts.TypeReference).forEach(visit);
        }
        // Only our own object types are walked: the SDK's Input/Output wrappers are reached through their type arguments.
        if (t.flags & ts.TypeFlags.Object && declaredInOurCode(named ?? undefined)) {
            for (const property of checker.getPropertiesOfType(t)) {
                const declaration = property.valueDeclaration ?? property.declarations?.[0];
                if (declaration) {
                    visit(checker.getTypeOfSymbolAtLocation(property, declaration));
                }
            }
        } else if (t.flags & ts.TypeFlags.Object && !named) {
            checker.getPropertiesOfType(t).forEach((p) => p.valueDeclaration && visit(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration)));
        }
    };
    visit(type);
    return found;
}

/** The types a caller writes to use an export: a class's constructor arguments, a function's parameters. */
function typesAUserNeeds(face: Face, symbol: ts.Symbol): Set<ts.Symbol> {
    const { checker } = face;
    const declaration = symbol.valueDeclaration;
    const needed = new Set<ts.Symbol>();
    if (!declaration) {
        return needed;
    }
    const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    const signatures = symbol.flags & ts.SymbolFlags.Class ? type.getConstructSignatures() : symbol.flags & ts.SymbolFlags.Function ? type.getCallSignatures() : [];
    for (const signature of signatures) {
        for (const parameter of signature.getParameters()) {
            namedTypesIn(checker, checker.getTypeOfSymbolAtLocation(parameter, declaration)).forEach((s) => needed.add(s));
        }
    }
    return needed;
}

describe("the library's face (components/index.ts)", function () {
    this.timeout(120_000);
    let face: Face;
    before(() => {
        face = readFace();
    });

    it("exports every type a program writes to build each exported component or call each exported helper", () => {
        const exportedSymbols = new Set(face.exported.values());
        const missing: string[] = [];
        for (const [name, symbol] of face.exported) {
            for (const needed of typesAUserNeeds(face, symbol)) {
                if (!exportedSymbols.has(needed)) {
                    missing.push(`${name} takes ${needed.name} (${path.relative(REPO_ROOT, needed.declarations![0].getSourceFile().fileName)})`);
                }
            }
        }
        assert.deepEqual([...new Set(missing)].sort(), []);
    });

    it("is a curated list: components, their Args and enums, the config parser and a few helpers", () => {
        const components = [...face.exported.values()].filter((s) => s.flags & ts.SymbolFlags.Class && /Resource/.test(face.checker.typeToString(face.checker.getBaseTypes(face.checker.getDeclaredTypeOfSymbol(s) as ts.InterfaceType)[0] ?? face.checker.getAnyType())));
        assert.ok(components.length >= 17, `every component is exported (found ${components.length})`);
        // About 60 names (CHANGELOG 0.3.0): internal helpers, constants and pure modules are not the package's API.
        // 81 since issue 22 (the GpuComputeClass component and the generated ladder argument types).
        assert.ok(face.exported.size <= 85, `the library exports ${face.exported.size} names: keep internal what a program does not need`);
        for (const internal of ["createPlatformParts", "deployApp", "airflowValues", "REGION_PRICES", "memberSlug", "platformArgsFromConfig"]) {
            assert.ok(!face.exported.has(internal), `${internal} is internal`);
        }
    });
});
