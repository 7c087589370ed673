// Package wordcount is the paper's WordCount workload: map-reduce with
// entities and no orchestration. M Mapper entities each read one book
// (generated deterministically: Zipf-distributed words over a vocabulary
// generated from a seed) and signal the Reducer entity hash(word) mod R
// once per word, for at most 5,000 words per book, then signal "mapper
// done" to every reducer. A reducer counts words and, once all M mappers
// are done, reports its top 20 to the Summary entity, which merges the
// reports into the global top 20. A work unit is one word counted.
//
// With Params.Combine, mappers instead signal once per distinct word with
// its count (a combiner), a what-if the paper did not run.
//
// The oracle recounts the books independently and checks every reducer's
// counts, the mapper-done bookkeeping and the top 20s exactly.
package wordcount
