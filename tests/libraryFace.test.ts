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

/**
 * A property's type as written (`mode?: ClusterMode` is ClusterMode, where the checker's type of
 * an optional property is a fresh union with undefined that has lost the alias).
 */
function declaredType(checker: ts.TypeChecker, property: ts.Symbol): ts.Type {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    if (declaration && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.type) {
        return checker.getTypeFromTypeNode(declaration.type);
    }
    return declaration ? checker.getTypeOfSymbolAtLocation(property, declaration) : checker.getAnyType();
}

/** Named types of our own that a value of `type` is written with, all the way down. */
function namedTypesIn(checker: ts.TypeChecker, type: ts.Type, seen = new Set<ts.Type>()): Set<ts.Symbol> {
    const found = new Set<ts.Symbol>();
    const visit = (t: ts.Type): void => {
        if (seen.has(t)) {
            return;
        }
        seen.add(t);
        const named = t.aliasSymbol ?? t.getSymbol();
        if (named && named.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Function)) {
            return; // behaviour, not data a program writes
        }
        if (declaredInOurCode(named) && !(named.flags & ts.SymbolFlags.TypeLiteral)) {
            found.add(named);
            if (named.flags & ts.SymbolFlags.Class) {
                return; // a component: its own exports are checked where it is exported
            }
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
            checker.getPropertiesOfType(t).forEach((property) => visit(declaredType(checker, property)));
        } else if (t.flags & ts.TypeFlags.Object && !named) {
            checker.getPropertiesOfType(t).forEach((p) => p.valueDeclaration && visit(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration)));
        }
    };
    visit(type);
    return found;
}

/**
 * The types a caller writes to use an export: a class's constructor arguments, public
 * properties and methods, a function's parameters and result.
 */
function typesAUserNeeds(face: Face, symbol: ts.Symbol): Set<ts.Symbol> {
    const { checker } = face;
    const declaration = symbol.valueDeclaration;
    const needed = new Set<ts.Symbol>();
    if (!declaration) {
        return needed;
    }
    const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    const signatures = symbol.flags & ts.SymbolFlags.Class ? type.getConstructSignatures() : symbol.flags & ts.SymbolFlags.Function ? type.getCallSignatures() : [];
    const add = (t: ts.Type) => namedTypesIn(checker, t).forEach((s) => needed.add(s));
    for (const signature of signatures) {
        signature.getParameters().forEach((parameter) => add(checker.getTypeOfSymbolAtLocation(parameter, declaration)));
        if (symbol.flags & ts.SymbolFlags.Function) {
            add(signature.getReturnType());
        }
    }
    if (symbol.flags & ts.SymbolFlags.Class) {
        const instance = checker.getDeclaredTypeOfSymbol(symbol);
        const isPublic = (p: ts.Symbol) => !p.valueDeclaration || !(ts.getCombinedModifierFlags(p.valueDeclaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
        const own = (p: ts.Symbol) => (p.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(OURS));
        for (const member of checker.getPropertiesOfType(instance).filter((p) => own(p) && isPublic(p))) {
            if (member.flags & ts.SymbolFlags.Method) {
                for (const signature of checker.getTypeOfSymbolAtLocation(member, member.valueDeclaration!).getCallSignatures()) {
                    signature.getParameters().forEach((parameter) => add(checker.getTypeOfSymbolAtLocation(parameter, member.valueDeclaration!)));
                    add(signature.getReturnType());
                }
            } else {
                add(declaredType(checker, member));
            }
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

    it("exports nothing else: the components, what building and calling them takes, and a named few helpers", () => {
        const { checker } = face;
        const isComponent = (s: ts.Symbol) =>
            !!(s.flags & ts.SymbolFlags.Class) && checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(s) as ts.InterfaceType).some((b) => /ComponentResource|Resource\b/.test(checker.typeToString(b)));
        const components = [...face.exported.values()].filter(isComponent);
        assert.ok(components.length >= 17, `every component is exported (found ${components.length})`);
        // What a program calls besides constructors (CHANGELOG 0.3.0); their parameter types join the face through the walk below.
        const helpers = ["parsePlatformConfig", "loadPlatformConfig", "ConfigError", "PlatformArgsError", "PlatformParts", "buildMetaflowProfile", "MetaflowProfile", "GPU_TYPES", "pairGpuMachine", "GpuType"];
        const needed = new Set<ts.Symbol>(components);
        for (const name of helpers) {
            assert.ok(face.exported.has(name), `${name} is exported`);
            needed.add(face.exported.get(name)!);
        }
        for (const symbol of [...needed]) {
            typesAUserNeeds(face, symbol).forEach((t) => needed.add(t));
        }
        // An enum is a const object and a type of one name: the type is reached, the value comes with it.
        const extra = [...face.exported].filter(([, symbol]) => !needed.has(symbol)).map(([name]) => name);
        assert.deepEqual(extra, [], "exported but neither a component, nor taken by one or by a listed helper: keep it internal, or list the helper here and in CHANGELOG");
    });
});
