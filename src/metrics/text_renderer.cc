#include "metrics/text_renderer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "metrics/escaping.h"
#include "metrics/number_format.h"

namespace slayer::metrics {
namespace {

char* Put(std::string_view text, char* out) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* Put(char c, char* out) {
  *out = c;
  return out + 1;
}

// Appends to a string through raw pointers: a caller asks for room for a whole line (or sample)
// once, then writes it with plain stores instead of a size check per piece. The string is cut
// back to what was written when the Output goes away.
class Output {
 public:
  explicit Output(std::string* text) : text_(text), size_(text->size()) {}
  ~Output() { text_->resize(size_); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Room for at least `n` characters after what was written. Grows in chunks that fit in the L2
  // cache, so the zero fill of resize() is cheap and overwritten while still cached.
  char* Room(std::size_t n) {
    if (text_->size() - size_ < n) text_->resize(size_ + std::max(n, kChunk));
    return text_->data() + size_;
  }
  // Marks everything before `end` (a pointer from Room()) as written.
  void Commit(const char* end) { size_ = static_cast<std::size_t>(end - text_->data()); }

 private:
  static constexpr std::size_t kChunk = 64 * 1024;

  std::string* text_;
  std::size_t size_;
};

}  // namespace

// Reads Family's internals (friend): the renderer walks its buffers directly.
class TextRenderer {
 public:
  // An upper bound on what Render appends, to reserve the output's capacity once.
  static std::size_t SizeBound(const Family& family);

  static void Render(const Family& family, Output& out) {
    RenderHeader(family, out);
    if (family.type_ == MetricType::kHistogram) {
      RenderHistograms(family, out);
    } else {
      RenderValues(family, out);
    }
  }

 private:
  static void RenderHeader(const Family& family, Output& out);
  static void RenderValues(const Family& family, Output& out);
  static void RenderHistograms(const Family& family, Output& out);
  // Writes `l0="v0",l1="v1"` for sample `sample` (no braces) at `out`; returns the end.
  // REQUIRES: room for the label names' syntax plus twice the sample's label bytes.
  static char* WriteLabelPairs(const Family& family, std::size_t sample, char* out);
  // The size of the sample's label values, unescaped.
  static std::size_t LabelBytes(const Family& family, std::size_t sample) {
    const std::size_t label_count = family.label_names_.size();
    if (label_count == 0) return 0;
    return family.label_ends_[(sample + 1) * label_count - 1] - family.LabelsBegin(sample);
  }
  // The size of `name="` for every label name, plus a closing quote and comma each.
  static std::size_t LabelSyntaxBytes(const Family& family) {
    std::size_t n = 0;
    for (const std::string& name : family.label_names_) n += name.size() + 4;
    return n;
  }
};

std::size_t TextRenderer::SizeBound(const Family& family) {
  const std::size_t header = 2 * family.name_.size() + 2 * family.help_.size() + 32;
  const std::size_t n = family.size();
  // One series: name, suffix, braces, label syntax, space, number, line feed.
  const std::size_t series = family.name_.size() + 16 + LabelSyntaxBytes(family) + kMaxNumberChars;
  if (family.type_ != MetricType::kHistogram) {
    return header + n * series + family.escaped_label_bytes_;
  }
  // Each sample renders one series per bucket, plus _sum and _count; bounds print in at most
  // kMaxNumberChars characters inside le="...".
  const std::size_t lines = family.bucket_bounds_.size() + 2;
  return header + n * lines * (series + kMaxNumberChars + 8) + lines * family.escaped_label_bytes_;
}

void TextRenderer::RenderHeader(const Family& family, Output& out) {
  const std::string_view type = MetricTypeName(family.type_);
  char* p = out.Room(2 * family.name_.size() + 2 * family.help_.size() + type.size() + 20);
  p = Put("# HELP ", p);
  p = Put(family.name_, p);
  p = Put(' ', p);
  p = WriteEscapedHelp(family.help_, p);
  p = Put("\n# TYPE ", p);
  p = Put(family.name_, p);
  p = Put(' ', p);
  p = Put(type, p);
  p = Put('\n', p);
  out.Commit(p);
}

void TextRenderer::RenderValues(const Family& family, Output& out) {
  const std::size_t label_count = family.label_names_.size();
  // The text between label values is the same for every sample: `name{l0="`, `",l1="`, ...,
  // `"} `; without labels just `name `.
  std::vector<std::string> pieces(label_count + 1);
  if (label_count == 0) {
    pieces[0] = family.name_ + ' ';
  } else {
    pieces[0] = family.name_ + '{' + family.label_names_[0] + "=\"";
    for (std::size_t j = 1; j < label_count; ++j) {
      pieces[j] = "\"," + family.label_names_[j] + "=\"";
    }
    pieces[label_count] = "\"} ";
  }
  std::size_t fixed = kMaxNumberChars + 1;
  for (const std::string& piece : pieces) fixed += piece.size();

  const char* const data = family.label_data_.data();
  const std::uint32_t* ends = family.label_ends_.data();
  std::size_t begin = 0;
  for (std::size_t i = 0; i < family.size(); ++i, ends += label_count) {
    const std::size_t label_bytes = label_count == 0 ? 0 : ends[label_count - 1] - begin;
    char* p = out.Room(fixed + 2 * label_bytes);
    p = Put(pieces[0], p);
    if (family.needs_escaping_[i] == 0) {
      for (std::size_t j = 0; j < label_count; ++j) {
        p = Put(std::string_view(data + begin, ends[j] - begin), p);
        begin = ends[j];
        p = Put(pieces[j + 1], p);
      }
    } else {
      for (std::size_t j = 0; j < label_count; ++j) {
        p = WriteEscapedLabelValue(std::string_view(data + begin, ends[j] - begin), p);
        begin = ends[j];
        p = Put(pieces[j + 1], p);
      }
    }
    p = FormatSampleValue(family.values_[i], p);
    p = Put('\n', p);
    out.Commit(p);
  }
}

char* TextRenderer::WriteLabelPairs(const Family& family, std::size_t sample, char* out) {
  const std::size_t label_count = family.label_names_.size();
  const bool escape = family.needs_escaping_[sample] != 0;
  for (std::size_t j = 0; j < label_count; ++j) {
    if (j > 0) out = Put(',', out);
    out = Put(family.label_names_[j], out);
    out = Put("=\"", out);
    const std::string_view value = family.label_value(sample, j);
    out = escape ? WriteEscapedLabelValue(value, out) : Put(value, out);
    out = Put('"', out);
  }
  return out;
}

void TextRenderer::RenderHistograms(const Family& family, Output& out) {
  const bool has_labels = !family.label_names_.empty();
  const std::string bucket_head = family.name_ + "_bucket{";
  const std::string sum_head = family.name_ + (has_labels ? "_sum{" : "_sum");
  const std::string count_head = family.name_ + (has_labels ? "_count{" : "_count");
  const std::string_view close = has_labels ? "} " : " ";
  // `,le="0.5"} ` for each bucket (no comma without other labels).
  std::vector<std::string> le_pieces;
  std::size_t longest_le = 0;
  for (double bound : family.bucket_bounds_) {
    le_pieces.push_back(std::string(has_labels ? ",le=\"" : "le=\"") + SampleValueToString(bound) +
                        "\"} ");
    longest_le = std::max(longest_le, le_pieces.back().size());
  }
  const std::size_t buckets = family.bucket_bounds_.size();
  const std::size_t label_syntax = LabelSyntaxBytes(family);
  // Each sample's label pairs are written once, here, and copied into each of its lines.
  std::string pairs;
  for (std::size_t i = 0; i < family.size(); ++i) {
    const std::size_t pairs_bound = label_syntax + 2 * LabelBytes(family, i);
    if (pairs.size() < pairs_bound) pairs.resize(pairs_bound);
    const std::string_view labels(pairs.data(),
                                  WriteLabelPairs(family, i, pairs.data()) - pairs.data());
    const std::span<const std::uint64_t> counts = family.bucket_counts(i);
    const std::size_t line = bucket_head.size() + labels.size() + longest_le + kMaxNumberChars + 2;
    char* p = out.Room((buckets + 2) * line);
    for (std::size_t k = 0; k < buckets; ++k) {
      p = Put(bucket_head, p);
      p = Put(labels, p);
      p = Put(le_pieces[k], p);
      p = FormatCount(counts[k], p);
      p = Put('\n', p);
    }
    p = Put(sum_head, p);
    p = Put(labels, p);
    p = Put(close, p);
    p = FormatSampleValue(family.values_[i], p);
    p = Put('\n', p);
    p = Put(count_head, p);
    p = Put(labels, p);
    p = Put(close, p);
    p = FormatCount(counts[buckets - 1], p);
    p = Put('\n', p);
    out.Commit(p);
  }
}

void RenderText(const Family& family, std::string* out) {
  out->reserve(out->size() + TextRenderer::SizeBound(family));
  Output output(out);
  TextRenderer::Render(family, output);
}

void RenderText(const Snapshot& snapshot, std::string* out) {
  std::size_t bound = out->size();
  for (const Family& family : snapshot.families()) bound += TextRenderer::SizeBound(family);
  out->reserve(bound);
  // One Output for all families: the string is cut back to what was written only once.
  Output output(out);
  for (const Family& family : snapshot.families()) TextRenderer::Render(family, output);
}

}  // namespace slayer::metrics
