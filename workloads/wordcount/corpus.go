package wordcount

import (
	"fmt"
	"strconv"

	"github.com/dflab/dflab/sim/rng"
)

// MaxWordsPerBook is how many words of a book a mapper reads (the paper's
// cap).
const MaxWordsPerBook = 5000

// Corpus is a deterministic set of books: a vocabulary generated from the
// seed and, per book, BookWords words drawn with Zipf(s) over the
// vocabulary ranks.
type Corpus struct {
	seed      uint64
	bookWords int
	vocab     []string
	zipf      rng.Dist
}

// NewCorpus builds the vocabulary (vocabulary distinct lowercase words).
func NewCorpus(seed uint64, vocabulary, bookWords int, zipfS float64) (*Corpus, error) {
	z, err := rng.Zipf(zipfS, vocabulary)
	if err != nil {
		return nil, fmt.Errorf("wordcount corpus: %w", err)
	}
	c := &Corpus{seed: seed, bookWords: bookWords, zipf: z}
	r := rng.New(seed).Fork("vocabulary")
	seen := make(map[string]bool, vocabulary)
	buf := make([]byte, 0, 12)
	for len(c.vocab) < vocabulary {
		buf = buf[:0]
		n := 2 + r.Intn(8) // 2..9 letters
		for k := 0; k < n; k++ {
			buf = append(buf, byte('a'+r.Intn(26)))
		}
		w := string(buf)
		if !seen[w] {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	return c, nil
}

// Vocabulary returns the words, most frequent rank first.
func (c *Corpus) Vocabulary() []string { return c.vocab }

// Book returns book i's words in order.
func (c *Corpus) Book(i int) []string {
	r := rng.New(c.seed).Fork("book/" + strconv.Itoa(i))
	out := make([]string, c.bookWords)
	for k := range out {
		out[k] = c.vocab[int(c.zipf.Sample(r))-1]
	}
	return out
}

// Read returns the words of book i a mapper counts: the first
// MaxWordsPerBook.
func (c *Corpus) Read(i int) []string {
	b := c.Book(i)
	if len(b) > MaxWordsPerBook {
		b = b[:MaxWordsPerBook]
	}
	return b
}

// ReducerOf is the reducer a word goes to: FNV-1a-32(word) mod r.
func ReducerOf(word string, r int) int {
	h := uint32(2166136261)
	for i := 0; i < len(word); i++ {
		h ^= uint32(word[i])
		h *= 16777619
	}
	return int(h % uint32(r))
}
