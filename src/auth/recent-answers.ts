// A per-process memo of a pure function of a client address: a bank's few gateway addresses send every
// request, so the parse is done once per address, not per request. Bounded (addresses are the
// client's choice): the oldest answer goes first.
export function rememberRecentAnswers<T>(compute: (address: string) => T, kept = 1024): (address: string) => T {
  const answers = new Map<string, T>();
  return (address) => {
    let answer = answers.get(address);
    if (answer === undefined) {
      answer = compute(address);
      if (answers.size >= kept) answers.delete(answers.keys().next().value!);
      answers.set(address, answer);
    }
    return answer;
  };
}
