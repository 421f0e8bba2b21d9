import { useGraphQlJit } from "@envelop/graphql-jit";
import type { DocumentNode, ExecutionArgs, ExecutionResult } from "graphql";
import { getOperationAST } from "graphql";

/** An envelop plugin (what Yoga's plugins are made of, and what graphql-jit's is). */
type EnvelopPlugin = ReturnType<typeof useGraphQlJit>;

/**
 * Queries executed by graphql-jit (`@envelop/graphql-jit`) once their document comes a second time:
 * the compiled query spares collecting fields and coercing arguments anew on every request (the
 * bulk of frontends' traffic repeats a few documents). The first run is graphql-js', so a client
 * that inlines its values in every query does not pay a compilation a request.
 *
 * The plugin keeps one compilation per document (Yoga's parser cache hands back the same document
 * for the same text, and drops it with its entry), whatever the operation name. So only a document
 * of a single query is compiled, and only when the request names that operation or none; anything
 * else (several operations, an unknown name, mutations, subscriptions) runs on graphql-js.
 *
 * A compiled query answers only its successes. graphql-jit words errors its own way (no locations
 * on a resolver's error, other messages for variables that do not fit, no 400 for a request that
 * cannot run), so a compiled run whose result has errors is run again by Yoga's own executor, whose
 * answer is sent. A query has no side effects, and the request's DataLoaders keep what the first run
 * loaded. A document graphql-jit cannot compile is logged once; its compiled runs answer the
 * compilation's errors, so Yoga's executor answers it every time.
 */
export function useCompiledQueries(onError: (error: unknown) => void): EnvelopPlugin {
  const seen = new WeakSet<DocumentNode>();
  const compiled = new WeakSet<ExecutionArgs>();
  const compiledWhen = (args: ExecutionArgs): boolean => {
    const { document, operationName } = args;
    const operations = document.definitions.filter((definition) => definition.kind === "OperationDefinition");
    if (operations.length !== 1 || getOperationAST(document, operationName)?.operation !== "query") return false;
    if (!seen.has(document)) {
      seen.add(document);
      return false;
    }
    compiled.add(args);
    return true;
  };
  return {
    onPluginInit({ addPlugin }) {
      // Added after this plugin: this one's `onExecute` still sees Yoga's executor.
      addPlugin(useGraphQlJit({}, { enableIf: compiledWhen, onError: (result) => onError(result.errors ?? result) }));
    },
    onExecute({ args, executeFn }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (!compiled.has(args) || !(result as ExecutionResult).errors?.length) return;
          return Promise.resolve(executeFn(args)).then((again) => setResult(again));
        },
      };
    },
  };
}
