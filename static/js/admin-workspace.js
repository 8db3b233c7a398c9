/*
 * The admin workspace's small helpers, all optional: the pages work without them.
 * - A thumbnail opens its full picture in a window over the page (Escape or the button closes it).
 * - One filter menu of the case list is open at a time; Escape or a click elsewhere closes it.
 */
'use strict';
{
    function openPicture(link) {
        const dialog = document.createElement('dialog');
        dialog.className = 'rma-lightbox';
        const bar = document.createElement('div');
        bar.className = 'rma-lightbox__bar';
        const caption = document.createElement('strong');
        caption.textContent = link.dataset.caption || '';
        const close = document.createElement('button');
        close.type = 'button';
        close.className = 'button';
        close.textContent = link.dataset.closeLabel || '×';
        close.addEventListener('click', () => dialog.close());
        bar.append(caption, close);
        const picture = document.createElement('img');
        picture.src = link.href;
        picture.alt = link.dataset.caption || '';
        dialog.append(bar, picture);
        dialog.addEventListener('close', () => { dialog.remove(); link.focus(); });
        dialog.addEventListener('click', event => { if (event.target === dialog) { dialog.close(); } });
        document.body.append(dialog);
        dialog.showModal();
        close.focus();
    }

    document.addEventListener('click', event => {
        const link = event.target.closest('a.rma-thumbnail');
        if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
            event.preventDefault();
            openPicture(link);
        }
        document.querySelectorAll('details.filter-bar__menu[open]').forEach(menu => {
            if (!menu.contains(event.target)) { menu.open = false; }
        });
    });

    document.addEventListener('toggle', event => {
        const menu = event.target;
        if (menu.matches && menu.matches('details.filter-bar__menu') && menu.open) {
            document.querySelectorAll('details.filter-bar__menu[open]').forEach(other => {
                if (other !== menu) { other.open = false; }
            });
        }
    }, true);

    document.addEventListener('keydown', event => {
        if (event.key !== 'Escape') { return; }
        document.querySelectorAll('details.filter-bar__menu[open]').forEach(menu => {
            menu.open = false;
            menu.querySelector('summary').focus();
        });
    });
}

/*
 * The admin's search-as-you-type boxes (select2) name their combobox after the chosen value
 * only, which is empty until something is chosen: name it after the field's label as well.
 */
{
    function labelComboboxes(root) {
        root.querySelectorAll('select.admin-autocomplete').forEach(select => {
            const combobox = select.parentElement.querySelector('.select2-selection[role="combobox"]');
            const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
            if (!combobox || !label || combobox.dataset.labelled) { return; }
            if (!label.id) { label.id = `${select.id}-label`; }
            const value = combobox.getAttribute('aria-labelledby');
            combobox.setAttribute('aria-labelledby', value ? `${label.id} ${value}` : label.id);
            // The chosen value inside it is a read-only text box of its own: named after the label too.
            const rendered = combobox.querySelector('.select2-selection__rendered[role="textbox"]');
            if (rendered) { rendered.setAttribute('aria-labelledby', label.id); }
            combobox.dataset.labelled = 'yes';
        });
    }

    const observer = new MutationObserver(records => {
        if (records.some(record => record.addedNodes.length)) { labelComboboxes(document); }
    });
    observer.observe(document.documentElement, {childList: true, subtree: true});
}
