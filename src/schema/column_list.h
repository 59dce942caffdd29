#ifndef PLEAT_SCHEMA_COLUMN_LIST_H_
#define PLEAT_SCHEMA_COLUMN_LIST_H_
// ColumnList: a table's columns in order, shared between copies of the table
// (the virtual schemas before and after an operation). Copies share one store
// and each sees its own first size() columns of it. Appending to a copy that
// ends where the store ends extends the store in place (the others do not see
// it); any other change copies the store first when it is shared. Lookups by
// name and by physical name go through an index kept with the store, rebuilt
// after a change through at(). So add_column on a table of n columns costs
// O(1), not a copy of the n columns. A store grows as a deque and iterators
// hold a position, so a pointer to a column or an iterator over a copy stays
// valid while another copy appends.

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <unordered_map>

namespace pleat::schema {

template <typename Column>
class ColumnList {
  struct Store {
    std::deque<Column> items;
    // First position of each name and physical name; rebuilt when `indexed` is false.
    std::unordered_map<std::string, size_t> by_name, by_physical;
    bool indexed = false;
    // A column was handed out for a change and may still be renamed through it:
    // lookups scan, until a copy of the list is taken (a copy's columns are not
    // changed through pointers handed out before).
    bool scan = false;
  };

 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Column;
    using difference_type = std::ptrdiff_t;
    using pointer = const Column*;
    using reference = const Column&;
    const_iterator(const std::deque<Column>* items, size_t i) : items_(items), i_(i) {}
    const Column& operator*() const { return (*items_)[i_]; }
    const Column* operator->() const { return &(*items_)[i_]; }
    const_iterator& operator++() { ++i_; return *this; }
    const_iterator operator++(int) { const_iterator was = *this; ++i_; return was; }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const std::deque<Column>* items_;
    size_t i_;
  };
  static constexpr size_t npos = static_cast<size_t>(-1);

  ColumnList() = default;
  ColumnList(const ColumnList& o) : store_(o.store_), size_(o.size_) {
    if (store_) store_->scan = false;
  }
  ColumnList& operator=(const ColumnList& o) {
    store_ = o.store_;
    size_ = o.size_;
    if (store_) store_->scan = false;
    return *this;
  }
  ColumnList(ColumnList&&) = default;
  ColumnList& operator=(ColumnList&&) = default;
  ColumnList(std::initializer_list<Column> columns) {
    for (const auto& c : columns) push_back(c);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const_iterator begin() const { return const_iterator(store_ ? &store_->items : nullptr, 0); }
  const_iterator end() const { return const_iterator(store_ ? &store_->items : nullptr, size_); }
  const Column& operator[](size_t i) const { return store_->items[i]; }
  const Column& front() const { return store_->items.front(); }
  const Column& back() const { return store_->items[size_ - 1]; }

  // The position of the first column named `name` (or stored in physical
  // column `physical`), or npos.
  size_t IndexOf(const std::string& name) const { return Lookup(false, name); }
  size_t IndexOfPhysical(const std::string& physical) const { return Lookup(true, physical); }

  // Column i, to change (its name or physical name too).
  Column& at(size_t i) {
    Own();
    store_->indexed = false;
    store_->scan = true;
    return store_->items[i];
  }
  void push_back(Column column) {
    if (!store_) store_ = std::make_shared<Store>();
    if (store_->items.size() != size_) Own();  // another copy grew the store past ours
    store_->items.push_back(std::move(column));
    if (store_->indexed) Index(*store_, size_);
    ++size_;
  }
  void erase(size_t i) {
    Own();
    store_->items.erase(store_->items.begin() + static_cast<std::ptrdiff_t>(i));
    store_->indexed = false;
    --size_;
  }

 private:
  static void Index(Store& store, size_t i) {
    store.by_name.emplace(store.items[i].name, i);
    store.by_physical.emplace(store.items[i].physical, i);
  }
  size_t Lookup(bool physical, const std::string& key) const {
    if (!store_) return npos;
    if (store_->scan) {
      for (size_t i = 0; i < size_; ++i)
        if ((physical ? store_->items[i].physical : store_->items[i].name) == key) return i;
      return npos;
    }
    if (!store_->indexed) {
      store_->by_name.clear();
      store_->by_physical.clear();
      for (size_t i = 0; i < store_->items.size(); ++i) Index(*store_, i);
      store_->indexed = true;
    }
    const auto& map = physical ? store_->by_physical : store_->by_name;
    auto it = map.find(key);
    return it != map.end() && it->second < size_ ? it->second : npos;
  }
  // Makes the store this list's own: copied when shared, cut to this list's columns.
  void Own() {
    if (store_ && store_.use_count() == 1) {
      if (store_->items.size() != size_) {
        store_->items.resize(size_);
        store_->indexed = false;
      }
      return;
    }
    auto own = std::make_shared<Store>();
    if (store_) own->items.assign(store_->items.begin(), store_->items.begin() + static_cast<std::ptrdiff_t>(size_));
    store_ = std::move(own);
  }

  std::shared_ptr<Store> store_;
  size_t size_ = 0;
};

}  // namespace pleat::schema

#endif  // PLEAT_SCHEMA_COLUMN_LIST_H_
